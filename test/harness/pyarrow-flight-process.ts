// Starts test/client/pyarrow_server.py, a reference Flight server written with pyarrow.flight,
// on a free port, and always stops it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { PROJECT_ROOT } from './quiver-process.ts';

export interface PyarrowFlightProcess {
  port: number;
  stop(): Promise<void>;
}

export async function startPyarrowFlight(args: string[] = []): Promise<PyarrowFlightProcess> {
  const child = spawn('python3', [path.join(PROJECT_ROOT, 'test/client/pyarrow_server.py'), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const firstLine = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`pyarrow server exited with ${code} before listening:\n${err}`)));
  });
  const m = /^Server listening on localhost:(\d+)$/.exec(firstLine);
  if (!m) throw new Error(`unexpected first line ${JSON.stringify(firstLine)}`);
  return {
    port: Number(m[1]),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
