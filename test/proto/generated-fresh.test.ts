// src/generated must be exactly what `npm run gen` produces from proto/: edit the .proto and
// regenerate, never the output. The generator runs as its own process (tests do not import
// scripts/), exactly as `npm run gen` runs it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { PROJECT_ROOT } from '../harness/quiver-process.ts';

function listFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

test('src/generated matches a fresh run of the generator', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-gen-'));
  try {
    execFileSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts/gen-proto.ts'), '--out', out], { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const checkedIn = path.join(PROJECT_ROOT, 'src/generated');
    assert.deepEqual(listFiles(checkedIn), listFiles(out), 'generated file list differs: run npm run gen');
    for (const f of listFiles(out)) {
      assert.equal(fs.readFileSync(path.join(checkedIn, f), 'utf8'), fs.readFileSync(path.join(out, f), 'utf8'), `${f} is stale: run npm run gen`);
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
