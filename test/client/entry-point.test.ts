// quiver/client must stay importable without the server: its run-time import graph (type-only
// imports load nothing) reaches neither server, storage nor coordination code, nor ZooKeeper.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../harness/quiver-process.ts';

function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const source = fs.readFileSync(file, 'utf8');
    for (const m of source.matchAll(/(?:^|\n)\s*(import|export)(\s+type)?\b[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
      if (m[2]) continue;
      const spec = m[3]!;
      if (spec.startsWith('.')) pending.push(path.resolve(path.dirname(file), spec));
      else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  }
  return { files, packages };
}

test('src/client/index.ts pulls in no server, storage or ZooKeeper code', () => {
  const { files, packages } = importGraph(path.join(PROJECT_ROOT, 'src/client/index.ts'));
  const rel = [...files].map((f) => path.relative(PROJECT_ROOT, f));
  assert.deepEqual(rel.filter((f) => /^src\/(server|storage|coord|cli)\//.test(f)), []);
  assert.deepEqual(rel.filter((f) => f.startsWith('src/generated/')), []);
  assert.ok(!packages.has('node-zookeeper-client'));
  assert.ok(!packages.has('parquet-wasm'));
});
