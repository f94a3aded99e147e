// Runs the quiver CLI as a subprocess, as a script would (pipes) or as a person would (a
// pseudo-terminal through util-linux `script`).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from './quiver-process.ts';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const QUIVER = path.join(PROJECT_ROOT, 'bin/quiver.js');

function collect(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const baseEnv = (env: NodeJS.ProcessEnv) => {
  const out: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const k of ['QUIVER_SERVER', 'QUIVER_USER', 'QUIVER_PASSWORD', 'QUIVER_TOKEN']) if (!(k in env)) delete out[k];
  return out;
};

/** stdin, stdout and stderr are pipes: no terminal. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  return collect(process.execPath, [QUIVER, ...args], baseEnv(options.env ?? {}), options.cwd ?? PROJECT_ROOT);
}

const shellQuote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** On a pseudo-terminal: stdout and stderr both arrive in `stdout`, with CRLF line ends. */
export function runCliOnTty(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  const line = [process.execPath, QUIVER, ...args].map(shellQuote).join(' ');
  return collect('script', ['-qec', line, '/dev/null'], { ...baseEnv(options.env ?? {}), COLUMNS: '120', TERM: 'xterm' }, options.cwd ?? PROJECT_ROOT);
}
