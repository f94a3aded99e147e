#!/usr/bin/env node
// `npm test`: the whole suite, part by part, and how long each part took. The two static checks
// (typecheck, layer check) run side by side: they read files and time nothing. The test parts
// run one after another: they start servers and ZooKeeper ensembles and measure timeouts, and
// on a 2-core machine running them together would trade a few minutes for flaky failures.
// Stops at the first part that fails, as the `&&` chain it replaces did.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Each stage is one part or several run at once. */
const STAGES = [
  [{ name: 'setup', command: [process.execPath, 'scripts/setup.mjs', '--test', '--zookeeper', '--browser', '--ceph'] }],
  [
    { name: 'typecheck', command: [npm, 'run', '--silent', 'typecheck'] },
    { name: 'layer check', command: [npm, 'run', '--silent', 'check:layers'] },
  ],
  [{ name: 'node suites', command: [npm, 'run', '--silent', 'test:node'] }],
  [{ name: 'interop (pytest)', command: [npm, 'run', '--silent', 'test:interop'] }],
  [{ name: 'conformance', command: [npm, 'run', '--silent', 'test:conformance'] }],
  [{ name: 'client libraries', command: [npm, 'run', '--silent', 'test:clients'] }],
];

function run(part) {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(part.command[0], part.command.slice(1), { cwd: root, stdio: 'inherit' });
    child.on('error', () => resolve({ part, seconds: (Date.now() - t0) / 1000, code: 127 }));
    child.on('exit', (code, signal) => resolve({ part, seconds: (Date.now() - t0) / 1000, code: code ?? (signal ? 1 : 0) }));
  });
}

const results = [];
const started = Date.now();
for (const stage of STAGES) {
  const done = await Promise.all(stage.map(run));
  results.push(...done);
  if (done.some((r) => r.code !== 0)) break;
}
console.log('\nnpm test parts:');
for (const { part, seconds, code } of results) console.log(`  ${seconds.toFixed(1).padStart(7)} s  ${part.name}${code === 0 ? '' : ` (FAILED, exit ${code})`}`);
const skipped = STAGES.flat().filter((p) => !results.some((r) => r.part === p));
for (const p of skipped) console.log(`            ${p.name} (not run: an earlier part failed)`);
console.log(`  ${((Date.now() - started) / 1000).toFixed(1).padStart(7)} s  total`);
process.exit(results.find((r) => r.code !== 0)?.code ?? 0);
