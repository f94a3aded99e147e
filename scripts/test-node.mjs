#!/usr/bin/env node
// Runs the node:test suites: every test/**/*.test.ts, or the files/folders given as arguments.
// Node 20's test runner does not expand globs itself, hence this script.
import { spawnSync } from 'node:child_process';
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
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
