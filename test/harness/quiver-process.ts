// Starts a real quiver server process on a free loopback port with its own data directory,
// and always stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CORPUS = path.resolve(PROJECT_ROOT, '../shared/corpus');

export interface QuiverProcess {
  port: number;
  address: string;
  dataDir: string;
  child: ChildProcess;
  stderr(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const START_TIMEOUT_MS = 60_000;

export function tempDir(prefix = 'quiver-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startQuiver(args: string[] = [], dataDir = tempDir()): Promise<QuiverProcess> {
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin/quiver.js'), 'serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir, ...args], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Background conversion to Parquet adds "convert" versions at moments of its own choosing;
    // suites count versions, so it is paused unless the flags say otherwise (--convert-paused false).
    env: { ...process.env, QUIVER_CONVERT_PAUSED: process.env.QUIVER_CONVERT_PAUSED ?? 'true' },
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Generous because a loaded 2-core CI machine has taken over 20 s to start a server; a server
  // that never gets there is killed, or its open handles keep the test file from ever exiting.
  const firstLine = await new Promise<string>((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout! });
    rl.once('line', (line) => resolve(line));
    child.once('exit', (code) => reject(new Error(`quiver exited with ${code} before listening:\n${err}`)));
    setTimeout(() => reject(new Error(`quiver did not start within ${START_TIMEOUT_MS / 1000} s:\n${err}`)), START_TIMEOUT_MS).unref();
  }).catch((e: unknown) => {
    child.kill('SIGKILL');
    throw e;
  });
  const m = /^Server listening on localhost:(\d+)$/.exec(firstLine);
  if (!m) {
    child.kill('SIGKILL');
    throw new Error(`unexpected first line ${JSON.stringify(firstLine)}`);
  }
  const port = Number(m[1]);
  return {
    port,
    address: `127.0.0.1:${port}`,
    dataDir,
    child,
    stderr: () => err,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
