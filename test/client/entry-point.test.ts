// quiver/client must stay importable without the server: its import graph reaches only the
// client, the shared wire layer (src/wire), Arrow helpers, top-level modules such as
// src/errors.ts, and packages. At run time (type-only
// imports load nothing) it reaches no generated code and neither ZooKeeper nor parquet-wasm; with
// type imports counted too (its .d.ts files depend on those) it never reaches the Flight
// service, server, storage, coordination or CLI code.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../harness/quiver-process.ts';

const ENTRY = path.join(PROJECT_ROOT, 'src/client/index.ts');
const SERVER_SIDE = /^src\/(flight|server|storage|coord|cli)\//;

/** `from '...'` clauses of import/export statements, and side-effect imports (`import '...'`). */
const IMPORT = /(?:^|\n)\s*(?:(import|export)(\s+type)?\b[^'";]*?from\s+|import\s+)['"]([^'"]+)['"]/g;

function resolveRelative(from: string, spec: string): string {
  const file = path.resolve(path.dirname(from), spec);
  // Generated code imports without an extension.
  return fs.existsSync(file) ? file : `${file}.ts`;
}

function importGraph(entry: string, { typeImports }: { typeImports: boolean }): { files: string[]; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const source = fs.readFileSync(file, 'utf8');
    for (const m of source.matchAll(IMPORT)) {
      if (m[2] && !typeImports) continue;
      const spec = m[3]!;
      if (spec.startsWith('.')) pending.push(resolveRelative(file, spec));
      else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  }
  return { files: [...files].map((f) => path.relative(PROJECT_ROOT, f)), packages };
}

test('src/client/index.ts pulls in no server, storage or ZooKeeper code at run time', () => {
  const { files, packages } = importGraph(ENTRY, { typeImports: false });
  assert.ok(files.includes('src/wire/flight-data.ts'), 'the walk follows imports (the codec is reached through src/wire)');
  assert.ok(files.includes('src/arrow/compression-codecs.ts'), 'the walk follows side-effect imports');
  assert.deepEqual(files.filter((f) => SERVER_SIDE.test(f)), []);
  assert.deepEqual(files.filter((f) => f.startsWith('src/generated/')), []);
  assert.ok(!packages.has('node-zookeeper-client'));
  assert.ok(!packages.has('parquet-wasm'));
});

test('src/client/index.ts and everything it imports, types included, stay out of src/flight, server, storage, coord', () => {
  const { files } = importGraph(ENTRY, { typeImports: true });
  assert.ok(files.includes('src/generated/arrow/flight/protocol/FlightService.ts'), 'the walk follows type imports into generated code');
  assert.deepEqual(files.filter((f) => SERVER_SIDE.test(f)), []);
  // Top-level modules such as src/errors.ts are shared; what they import is walked too.
  assert.deepEqual(files.filter((f) => !/^src\/((client|wire|arrow|generated)\/|[^/]+\.ts$)/.test(f)), []);
});
