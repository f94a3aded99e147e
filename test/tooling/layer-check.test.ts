// The layer check (.dependency-cruiser.cjs, `npm run check:layers`) must fail on the imports
// DESIGN.md forbids, not just pass on today's tree: run it with the project's rules over small
// planted trees, one clean and one with a bad import of each kind, and read what it reports.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROJECT_ROOT } from '../harness/quiver-process.ts';

const DEPCRUISE = path.join(PROJECT_ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CONFIG = path.join(PROJECT_ROOT, '.dependency-cruiser.cjs');

function plant(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-layers-'));
  fs.writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', allowImportingTsExtensions: true, noEmit: true } }));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

function check(root: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [DEPCRUISE, 'src', 'test', 'scripts', '--config', CONFIG, '--output-type', 'err'], { cwd: root, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

// A tree shaped like quiver's, whose imports all follow the direction.
const CLEAN: Record<string, string> = {
  'src/errors.ts': 'export class QuiverError extends Error {}\n',
  'src/wire/codec.ts': "import { QuiverError } from '../errors.ts';\nexport const codec = QuiverError;\n",
  'src/client/client.ts': "import { codec } from '../wire/codec.ts';\nexport const client = codec;\n",
  'src/coord/coordinator.ts': 'export interface Coordinator { lock(): void }\n',
  'src/object-store/object-store.ts': "import { QuiverError } from '../errors.ts';\nexport type ObjectStore = { e: QuiverError };\n",
  'src/storage/store.ts': "import type { Coordinator } from '../coord/coordinator.ts';\nimport type { ObjectStore } from '../object-store/object-store.ts';\nexport type Store = { c: Coordinator; o: ObjectStore };\n",
  'src/flight/handler.ts': "import type { Store } from '../storage/store.ts';\nimport { codec } from '../wire/codec.ts';\nexport const handler = (s: Store) => [s, codec];\n",
  'src/server/server.ts': "import { handler } from '../flight/handler.ts';\nexport const server = handler;\n",
  'src/cli/main.ts': "import { server } from '../server/server.ts';\nimport { client } from '../client/client.ts';\nexport const main = [server, client];\n",
  'test/harness/zookeeper.ts': 'export const zk = 1;\n',
  'test/x.test.ts': "import { zk } from './harness/zookeeper.ts';\nimport { main } from '../src/cli/main.ts';\nexport const t = [zk, main];\n",
  'scripts/gen.ts': "import { codec } from '../src/wire/codec.ts';\nexport const gen = codec;\n",
};

// Each planted import and the rule that must name it.
const BAD: Array<[rule: string, file: string, text: string]> = [
  ['storage-knows-no-grpc', 'src/storage/grpc.ts', "import * as grpc from '@grpc/grpc-js';\nexport const g = grpc;\n"],
  ['client-is-client-side', 'src/client/reach.ts', "import { handler } from '../flight/handler.ts';\nexport const r = handler;\n"],
  ['flight-knows-no-zookeeper', 'src/flight/zk.ts', "import { session } from '../coord/zookeeper/session.ts';\nexport const z = session;\n"],
  ['coord-knows-no-arrow', 'src/coord/arrow.ts', "import type { Table } from 'apache-arrow';\nexport type T = Table;\n"],
  ['object-store-knows-no-tables', 'src/object-store/tables.ts', "import type { Store } from '../storage/store.ts';\nexport type S = Store;\n"],
  ['object-store-below-storage', 'src/flight/bytes.ts', "import type { ObjectStore } from '../object-store/object-store.ts';\nexport type O = ObjectStore;\n"],
  ['no-cycles', 'src/coord/a.ts', "import { b } from './b.ts';\nexport const a = () => b;\n"],
  ['tests-not-scripts', 'test/uses-scripts.test.ts', "import { gen } from '../scripts/gen.ts';\nexport const u = gen;\n"],
  ['scripts-not-tests', 'scripts/uses-test.ts', "import { zk } from '../test/harness/zookeeper.ts';\nexport const s = zk;\n"],
];

describe('the layer check', () => {
  const roots: string[] = [];
  let cleanRoot = '';
  let badRoot = '';
  before(() => {
    cleanRoot = plant(CLEAN);
    const bad = { ...CLEAN, 'src/coord/zookeeper/session.ts': 'export const session = 1;\n', 'src/coord/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n" } as Record<string, string>;
    for (const [, file, text] of BAD) bad[file] = text;
    badRoot = plant(bad);
    roots.push(cleanRoot, badRoot);
  });
  after(() => {
    for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  });

  test('passes a tree whose imports follow DESIGN.md', () => {
    const r = check(cleanRoot);
    assert.equal(r.status, 0, r.out);
  });

  test('fails, naming the rule, on each planted bad import', () => {
    const r = check(badRoot);
    assert.notEqual(r.status, 0, r.out);
    for (const [rule, file] of BAD) assert.match(r.out, new RegExp(`${rule}: ${file.replace(/[.]/g, '[.]')}`), `${rule} not reported for ${file}:\n${r.out}`);
  });
});
