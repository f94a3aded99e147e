#!/usr/bin/env node
// Start-up times of the CLI, compiled (build/, this checkout) against the TypeScript sources run
// through tsx (main before the build existed, checked out into a temporary worktree): `quiver
// --help`, `quiver ls` against a running server, and `quiver serve` until its first stdout line.
// Medians of interleaved runs, so that load on the machine hits both ways alike.
//   node bench/startup.mjs [--runs N] [--baseline REF]
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const runs = Number(arg('--runs', '9'));
const baselineRef = arg('--baseline', 'main');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-startup-'));
const baseline = path.join(tmp, 'baseline');
execFileSync('git', ['-C', root, 'worktree', 'add', '--detach', '--quiet', baseline, baselineRef]);
// The baseline runs under tsx from the sources: it needs the packages, not a build.
fs.symlinkSync(path.join(root, 'node_modules'), path.join(baseline, 'node_modules'));
execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--if-stale'], { stdio: 'inherit' });

const ways = {
  [`tsx (${baselineRef})`]: path.join(baseline, 'bin/quiver.js'),
  'compiled (build/)': path.join(root, 'bin/quiver.js'),
};

/** Milliseconds from spawn until the process exits (code 0) or, with untilLine, prints a line. */
function time(bin, args, { untilLine = false } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
    if (untilLine) {
      readline.createInterface({ input: child.stdout }).once('line', () => {
        const ms = elapsed();
        child.kill('SIGTERM');
        child.once('exit', () => resolve(ms));
      });
    } else child.stdout.resume();
    child.once('exit', (code) => {
      if (!untilLine) code === 0 ? resolve(elapsed()) : reject(new Error(`${bin} ${args.join(' ')} exited with ${code}`));
    });
  });
}

async function firstLine(child) {
  return new Promise((resolve) => readline.createInterface({ input: child.stdout }).once('line', resolve));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = spawn(process.execPath, [ways['compiled (build/)'], 'serve', '--port', '0', '--host', '127.0.0.1', '--data', path.join(tmp, 'served'), '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const port = /:(\d+)$/.exec(await firstLine(server))[1];
  const commands = {
    'quiver --help': { args: ['--help'] },
    'quiver ls': { args: ['ls', '--server', `grpc+tcp://127.0.0.1:${port}`] },
    'quiver serve (first line)': { args: ['serve', '--port', '0', '--host', '127.0.0.1', '--log-level', 'warn'], untilLine: true, data: true },
  };
  const samples = {};
  for (let i = 0; i < runs; i++) {
    for (const [command, c] of Object.entries(commands)) {
      for (const [way, bin] of Object.entries(ways)) {
        const args = c.data ? [...c.args, '--data', fs.mkdtempSync(path.join(tmp, 'serve-'))] : c.args;
        ((samples[command] ??= {})[way] ??= []).push(await time(bin, args, { untilLine: c.untilLine }));
      }
    }
  }
  const names = Object.keys(ways);
  console.log(`node ${process.version}, ${os.availableParallelism()} cores, median of ${runs} interleaved runs (ms)\n`);
  console.log(`| command | ${names.join(' | ')} |`);
  console.log(`|---|${names.map(() => '---:').join('|')}|`);
  for (const [command, byWay] of Object.entries(samples)) console.log(`| \`${command}\` | ${names.map((w) => Math.round(median(byWay[w]))).join(' | ')} |`);
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  execFileSync('git', ['-C', root, 'worktree', 'remove', '--force', baseline]);
  fs.rmSync(tmp, { recursive: true, force: true });
}
