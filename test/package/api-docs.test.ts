// docs/api is generated from the doc comments of quiver/client and quiver/server (npm run
// docs:api); a fresh generation must match the committed one, or the reference is stale. TypeDoc
// runs with treatWarningsAsErrors (typedoc.json): an exported API without a doc comment fails too.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT, tempDir } from '../harness/quiver-process.ts';

function tree(dir: string): Map<string, string> {
  const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(dir, f)).isFile());
  return new Map(files.sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

test('docs/api matches a fresh TypeDoc generation', () => {
  const out = tempDir('quiver-api-docs-');
  try {
    const typedoc = path.join(PROJECT_ROOT, 'node_modules/typedoc/bin/typedoc');
    execFileSync(process.execPath, [typedoc, '--out', out], { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const fresh = tree(out);
    const committed = tree(path.join(PROJECT_ROOT, 'docs/api'));
    assert.deepEqual([...committed.keys()], [...fresh.keys()], 'files differ: run npm run docs:api');
    for (const [file, text] of fresh) assert.equal(committed.get(file), text, `docs/api/${file} is stale: run npm run docs:api`);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
