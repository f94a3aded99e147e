// Child processes of the conformance runs: a client run to completion with a time limit, and a
// server that announces its port on its first stdout line ("Server listening on HOST:PORT",
// the convention of Arrow's archery runner, which quiver and the scenario server both follow).
import { spawn } from 'node:child_process';

export interface Proc { code: number | null; signal: NodeJS.Signals | null; output: string; timedOut: boolean }

export function run(cmd: string[], timeoutMs: number): Promise<Proc> {
  return new Promise((resolve) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GOTRACEBACK: 'single' } });
    let output = '';
    const add = (b: Buffer) => { output += b.toString('utf8'); if (output.length > 200_000) output = output.slice(-100_000); };
    child.stdout.on('data', add);
    child.stderr.on('data', add);
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, output, timedOut }); });
    child.on('error', (e) => { clearTimeout(timer); resolve({ code: -1, signal: null, output: String(e), timedOut }); });
  });
}

export interface Server { port: number; stop(): Promise<string> }

/** Starts a server and resolves with its port; stop() ends it and returns its stderr tail. */
export async function startServer(what: string, cmd: string[], cwd: string): Promise<Server> {
  const child = spawn(cmd[0]!, cmd.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (b: Buffer) => { log += b.toString('utf8'); if (log.length > 64_000) log = log.slice(-32_000); });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not report its port within 30 s; stderr: ${log.slice(-2000)}`)), 30_000);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      const m = /^Server listening on [^\s:]+:(\d+)\s*$/.exec(out.slice(0, nl));
      if (m) resolve(Number(m[1]));
      else reject(new Error(`unexpected first stdout line from ${what}: ${JSON.stringify(out.slice(0, nl))}`));
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${what} exited (${code}) before listening; stderr: ${log.slice(-2000)}`)); });
  });
  child.stdout.resume();
  return {
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(t);
      }
      return log;
    },
  };
}
