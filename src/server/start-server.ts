// startServer(): an embedded quiver server in this process, for integration test suites. It takes
// the options of `quiver serve` as typed values and reads them through the same parsing, defaults
// and checks (config.ts), so an embedded server is configured exactly like a spawned one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../flight/context.ts';
import { OPTIONS, resolveConfig, type ServerConfig } from './config.ts';
import { stderrLogger } from './logger.ts';
import { QuiverServer } from './server.ts';

/**
 * Options of {@link startServer}: every setting of `quiver serve`, typed (durations in
 * milliseconds, sizes in bytes), plus where logs go. Unset settings take the defaults of
 * `quiver serve`, except `port` (0: a free port), `host` (`127.0.0.1`), `data` (a fresh temporary
 * directory) and `logLevel` (`silent`). Neither QUIVER_* environment variables nor a settings
 * file are read: a test states what it needs.
 */
export interface StartServerOptions extends Partial<ServerConfig> {
  /** Where the server logs; by default nothing is logged unless `logLevel` is set (then stderr). */
  logger?: Logger;
}

/** A running embedded server, as {@link startServer} returns it. */
export interface StartedServer {
  /** The location clients connect to, e.g. `grpc+tcp://127.0.0.1:43567`. */
  readonly location: string;
  /** The port the server listens on. */
  readonly port: number;
  /** The data directory: the temporary one, unless the options named one. */
  readonly dataDir: string;
  /**
   * Stops the server: waits for calls in flight (up to `shutdownGraceMs`), releases the port and
   * the data directory, and deletes the data directory when startServer created it. Calling it
   * again returns the same promise.
   */
  close(): Promise<void>;
}

/**
 * Starts a quiver server in this process, on the local coordinator unless `zk` is set.
 *
 * @example
 * ```ts
 * const server = await startServer();
 * const client = new FlightClient(server.location);
 * // ...
 * client.close();
 * await server.close();
 * ```
 */
export async function startServer(options: StartServerOptions = {}): Promise<StartedServer> {
  const { logger, ...settings } = options;
  const tempDir = settings.data === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-')) : null;
  try {
    const config = resolveConfig(toFlags({ port: 0, host: '127.0.0.1', logLevel: 'silent', ...settings, data: settings.data ?? tempDir! }), {});
    const log = logger ?? stderrLogger(config.logLevel);
    const server = await QuiverServer.start(config, log);
    let closing: Promise<void> | null = null;
    return {
      location: server.location,
      port: server.port,
      dataDir: path.resolve(config.data),
      close: () =>
        (closing ??= (async () => {
          try {
            await server.shutdown(config.shutdownGraceMs);
          } finally {
            if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
          }
        })()),
    };
  } catch (e) {
    if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
    throw e;
  }
}

/** The options as `quiver serve` flags, so that resolveConfig parses and checks them. */
function toFlags(settings: Partial<ServerConfig>): string[] {
  const flags: string[] = [];
  for (const [key, value] of Object.entries(settings)) {
    if (value === undefined) continue;
    const spec = OPTIONS.find((o) => o.key === key);
    if (!spec) throw new TypeError(`startServer: unknown option ${JSON.stringify(key)}; known: ${OPTIONS.map((o) => o.key).join(', ')}, logger`);
    flags.push(`${spec.flag}=${String(value)}`);
  }
  return flags;
}
