#!/usr/bin/env node
// Runs the node:test suites: every test/**/*.test.ts, or the files/folders given as arguments.
// Node 20's test runner does not expand globs itself, hence this script.
//
// The files run in two parts. Suites that start real ZooKeeper ensembles (test/cluster, and any
// file importing the ZooKeeper harness) run one file at a time: they freeze servers with SIGSTOP
// and wait out session timeouts, and on a 2-core machine two of them side by side miss their
// timings. Every other file starts at most its own quiver servers on free ports and runs
// QUIVER_TEST_CONCURRENCY files at once (default 2). Each part's wall time is printed at the end.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuild } from './build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const targets = process.argv.slice(2);
const files = (targets.length ? targets : ['test']).flatMap((t) => {
  const full = path.resolve(root, t);
  if (fs.statSync(full).isFile()) return [full];
  return fs.readdirSync(full, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.test.ts')).map((f) => path.join(full, f));
}).sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// The suites run the TypeScript sources through tsx, but the servers and CLI they spawn run
// bin/quiver.js, which runs build/: compile first when a source changed.
ensureBuild();

const ZOOKEEPER_IMPORT = /^import [^\n]* from '[^']*\/(zookeeper|zk-fixtures|cluster-replicas|replica-set)\.ts';$/m;
const usesZooKeeper = (file) =>
  path.relative(root, file).startsWith(`test${path.sep}cluster${path.sep}`) || ZOOKEEPER_IMPORT.test(fs.readFileSync(file, 'utf8'));

const concurrency = Math.max(1, Number(process.env.QUIVER_TEST_CONCURRENCY ?? 2) || 1);
const parts = [
  { name: `independent suites (${concurrency} at a time)`, concurrency, files: files.filter((f) => !usesZooKeeper(f)) },
  { name: 'ZooKeeper suites (one at a time)', concurrency: 1, files: files.filter(usesZooKeeper) },
].filter((p) => p.files.length > 0);

function run(part) {
  const args = ['--import', 'tsx', '--test', `--test-concurrency=${part.concurrency}`, ...part.files];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const timings = [];
let status = 0;
const started = Date.now();
for (const part of parts) {
  const t0 = Date.now();
  const code = await run(part);
  timings.push({ part, seconds: (Date.now() - t0) / 1000, code });
  if (code !== 0) status = code;
}
console.log('\nnode test parts:');
for (const { part, seconds, code } of timings) {
  console.log(`  ${seconds.toFixed(1).padStart(7)} s  ${part.name}: ${part.files.length} files${code === 0 ? '' : ` (FAILED, exit ${code})`}`);
}
console.log(`  ${((Date.now() - started) / 1000).toFixed(1).padStart(7)} s  total`);
process.exit(status);
