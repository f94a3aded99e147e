#!/usr/bin/env node
// Installs what quiver needs, so that `npm start` and `npm test` work on a fresh clone.
// Plain JavaScript: it runs before the TypeScript toolchain is installed.
//   node scripts/setup.mjs          npm packages, then build/ when it is missing or out of date
//   node scripts/setup.mjs --test   also what the test suite needs (pyarrow, pytest, test/sql/requirements.txt)
//   node scripts/setup.mjs --zookeeper   also Debian's zookeeper package (needs root and apt-get)
//   node scripts/setup.mjs --browser     also Debian's chromium, for the status page test (same)
//   node scripts/setup.mjs --ceph        also Debian's Ceph RADOS Gateway, the S3 store of the object store tests (same)
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuild } from './build.mjs';

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

// bin/quiver.js runs the compiled CLI: compile when a source is newer than build/.
ensureBuild();

if (process.argv.includes('--test')) {
  const python = process.env.PYTHON ?? 'python3';
  // test/sql/requirements.txt: Flight SQL's test peers (the ADBC driver, duckdb as the oracle), one pip requirement a line.
  const sqlPeers = fs.readFileSync(path.join(root, 'test/sql/requirements.txt'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const wanted = ['pyarrow', 'pytest', ...sqlPeers];
  const missing = wanted.filter((m) => spawnSync(python, ['-c', `import ${m.split(/[<>=!~ ]/)[0].replace(/-/g, '_')}`], { stdio: 'ignore' }).status !== 0);
  if (missing.length > 0) {
    log(`installing Python packages: ${missing.join(', ')}`);
    execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...missing], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
}

/** Installs Debian packages with apt-get (root only), `why` naming what needs them. */
function aptInstall(packages, why) {
  if (process.getuid?.() !== 0) throw new Error(`${why} is missing; run this as root, or: sudo apt-get install -y ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`installing Debian packages ${packages.join(', ')} (apt-get) for ${why}`);
  execFileSync('apt-get', ['update', '-qq'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env, stdio: ['ignore', 'inherit', 'inherit'] });
}

if (process.argv.includes('--zookeeper')) {
  // test/harness/zookeeper.ts runs the server as a plain java process from these jars.
  const jars = ['/usr/share/java/zookeeper.jar', '/usr/share/java/slf4j-simple.jar'];
  if (!jars.every((j) => fs.existsSync(j))) aptInstall(['zookeeper'], `ZooKeeper (${jars.join(', ')})`);
}

if (process.argv.includes('--browser')) {
  // test/ops/status-page.test.ts drives Debian's headless Chromium (puppeteer-core brings no browser).
  if (!fs.existsSync('/usr/bin/chromium')) aptInstall(['chromium'], 'the status page test (/usr/bin/chromium)');
}

if (process.argv.includes('--ceph')) {
  // test/harness/ceph-rgw.ts runs a monitor, a memstore OSD and the gateway from these packages.
  const binaries = ['/usr/bin/radosgw', '/usr/bin/ceph-mon', '/usr/bin/ceph-osd'];
  if (!binaries.every((b) => fs.existsSync(b))) aptInstall(['radosgw', 'ceph-mon', 'ceph-osd'], `Ceph RADOS Gateway (${binaries.join(', ')})`);
}
