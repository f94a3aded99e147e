#!/usr/bin/env node
// Compiles src/ to build/ (JavaScript and .d.ts): what bin/quiver.js, the Parquet workers and the
// package's exports run. Plain JavaScript so that setup.mjs and test-node.mjs can call it.
//   node scripts/build.mjs             clean build (npm run build, npm pack)
//   node scripts/build.mjs --if-stale  build only when a source is newer than the last build
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILD = path.join(root, 'build');
const STAMP = path.join(BUILD, '.built');
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs'];

function newestInput() {
  let newest = 0;
  const visit = (p) => {
    const st = fs.statSync(p);
    newest = Math.max(newest, st.mtimeMs);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) visit(path.join(p, e));
  };
  for (const i of INPUTS) visit(path.join(root, i));
  return newest;
}

/** True when build/ exists and no input changed (or was added or removed) since it was made. */
export function buildIsCurrent() {
  return fs.existsSync(STAMP) && fs.statSync(STAMP).mtimeMs >= newestInput();
}

// proto-loader's generated files import each other without extensions (type-only imports, so the
// JavaScript is unaffected); Node16/NodeNext consumers need .js in the declarations.
function fixGeneratedDeclarations(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) fixGeneratedDeclarations(p);
    else if (e.name.endsWith('.d.ts')) {
      const text = fs.readFileSync(p, 'utf8');
      const fixed = text.replace(/(from\s+')(\.{1,2}\/[^']*?)(?<!\.js)(?<!\.ts)'/g, "$1$2.js'");
      if (fixed !== text) fs.writeFileSync(p, fixed);
    }
  }
}

// An incremental build leaves the outputs of deleted or moved sources behind: drop them.
function removeOrphans(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    const rel = path.relative(BUILD, p);
    if (e.isDirectory()) {
      if (!fs.existsSync(path.join(root, 'src', rel))) fs.rmSync(p, { recursive: true });
      else removeOrphans(p);
      continue;
    }
    const base = rel.replace(/(\.d\.ts|\.js)(\.map)?$/, '');
    if (base === rel) continue;
    if (!['.ts', '.d.ts'].some((ext) => fs.existsSync(path.join(root, 'src', base + ext)))) fs.rmSync(p);
  }
}

export function build({ clean = false } = {}) {
  const started = Date.now();
  if (clean) fs.rmSync(BUILD, { recursive: true, force: true });
  else if (fs.existsSync(BUILD)) removeOrphans(BUILD);
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  fixGeneratedDeclarations(path.join(BUILD, 'generated'));
  fs.writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  process.stderr.write(`build: src/ compiled to build/ in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
}

/** Builds when build/ is missing or older than a source; a no-op (a few ms) otherwise. */
export function ensureBuild() {
  if (!buildIsCurrent()) build();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--if-stale')) ensureBuild();
  else build({ clean: true });
}
