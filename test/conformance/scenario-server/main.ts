// The scenario server: quiver's Flight service definition and handler kit, serving one Arrow
// integration scenario, as each Arrow implementation's integration server does.
//
//   node --import tsx test/conformance/scenario-server/main.ts --scenario NAME [--port 0] [--host 127.0.0.1]
//
// Prints "Server listening on localhost:PORT" (the archery convention) once it accepts calls.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { Authenticator } from '../../../src/flight/auth.ts';
import type { Logger } from '../../../src/flight/context.ts';
import { flightService } from '../../../src/flight/flight-service.ts';
import type { KitContext } from '../../../src/flight/handler-kit.ts';
import { SCENARIOS } from './scenarios.ts';
import { withUnimplemented } from './unimplemented.ts';

export async function startScenarioServer(name: string, host = '127.0.0.1', port = 0): Promise<{ port: number; server: grpc.Server }> {
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`unknown scenario ${JSON.stringify(name)}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  const kit: KitContext = { auth: new Authenticator(scenario.auth ?? { kind: 'none' }), log: stderrLogger, middleware: scenario.middleware ?? [] };
  const server = new grpc.Server();
  server.addService(flightService, withUnimplemented(kit, name, scenario.handlers(kit)));
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return { port: bound, server };
}

// Failures are what the scenarios test, so only internal errors are worth printing.
const stderrLogger: Logger = {
  info() {},
  warn(message, fields) { process.stderr.write(`warn: ${message} ${JSON.stringify(fields ?? {})}\n`); },
  error(message, error) { process.stderr.write(`error: ${message}: ${(error as Error)?.stack ?? String(error)}\n`); },
};

function parseArgs(argv: string[]): { scenario: string; host: string; port: number } {
  const o = { scenario: '', host: '127.0.0.1', port: 0 };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${argv[i]} needs a value`);
    switch (argv[i]) {
      case '--scenario': o.scenario = value; break;
      case '--host': o.host = value; break;
      case '--port': o.port = Number(value); break;
      default: throw new Error(`unknown option ${argv[i]}`);
    }
    i++;
  }
  if (!o.scenario) throw new Error('--scenario NAME is required');
  return o;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const o = parseArgs(process.argv.slice(2));
  const { port, server } = await startScenarioServer(o.scenario, o.host, o.port);
  process.stdout.write(`Server listening on localhost:${port}\n`);
  const stop = () => server.tryShutdown(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
