#!/usr/bin/env node
// Installs what quiver needs, so that `npm start` and `npm test` work on a fresh clone.
// Plain JavaScript: it runs before the TypeScript toolchain is installed.
//   node scripts/setup.mjs          npm packages
//   node scripts/setup.mjs --test   also what the test suite needs (pyarrow, pytest)
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg) => process.stderr.write(`setup: ${msg}\n`);

function npmPackagesCurrent() {
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  if (!fs.existsSync(installed)) return false;
  return fs.statSync(installed).mtimeMs >= fs.statSync(path.join(root, 'package-lock.json')).mtimeMs;
}

if (!npmPackagesCurrent()) {
  log('installing npm packages (npm ci)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

if (process.argv.includes('--test')) {
  const python = process.env.PYTHON ?? 'python3';
  const wanted = ['pyarrow', 'pytest'];
  const missing = wanted.filter((m) => spawnSync(python, ['-c', `import ${m}`], { stdio: 'ignore' }).status !== 0);
  if (missing.length > 0) {
    log(`installing Python packages: ${missing.join(', ')}`);
    execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...missing], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
}
