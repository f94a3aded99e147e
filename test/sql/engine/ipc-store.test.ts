// The store of loaded Arrow IPC files (ipc-store.ts): one load per file however many plans take
// it, least recently used files dropped beyond the byte budget, never a file a plan holds, and a
// file dropped is loaded again from disk when a later plan needs it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromArrays } from 'apache-arrow';
import { IpcFileStore, attachIpcCatalog } from '../../../src/sql/engine/ipc-store.ts';
import type { PinnedTable } from '../../../src/sql/engine/sql-engine.ts';
import { TestTables } from './fixtures.ts';

const tables = new TestTables();
let instance: DuckDBInstance;
let budget = 0;
let store: IpcFileStore;
let a: PinnedTable;
let b: PinnedTable;

before(async () => {
  instance = await DuckDBInstance.create(':memory:');
  await attachIpcCatalog(await instance.connect());
  store = new IpcFileStore(instance, () => budget);
  a = tables.add('a', [{ table: tableFromArrays({ id: Float64Array.from({ length: 1000 }, (_, i) => i) }), format: 'arrow-stream' }]);
  b = tables.add('b', [{ table: tableFromArrays({ id: Float64Array.from({ length: 1000 }, (_, i) => -i) }), format: 'arrow-stream' }]);
});
after(() => {
  instance.closeSync();
  tables.cleanup();
});

async function sumOf(table: string): Promise<number> {
  const con = await instance.connect();
  try {
    return Number((await con.runAndReadAll(`SELECT sum(id) FROM ${table}`)).getRows()[0]![0]);
  } finally {
    con.closeSync();
  }
}

test('a file is loaded once, shared, kept within the budget, dropped least recently used first, never while held', async () => {
  budget = 10_000; // one of the two files (8,000 bytes of float64 each)
  const [x, y] = await Promise.all([store.acquire(a.files[0]!.path, a.schema), store.acquire(a.files[0]!.path, a.schema)]);
  assert.equal(x.table, y.table);
  assert.equal(await sumOf(x.table), 499_500);
  assert.deepEqual({ ...store.stats(), bytes: undefined }, { files: 1, bytes: undefined, loads: 1, hits: 1, evictions: 0 });
  x.release();
  y.release();
  y.release(); // a second release of one lease is a no-op
  // Loading b overflows the budget: a, held by nobody and least recently used, is dropped.
  const z = await store.acquire(b.files[0]!.path, b.schema);
  assert.equal(await sumOf(z.table), -499_500);
  assert.equal(store.stats().evictions, 1);
  assert.equal(store.stats().files, 1);
  await store.clear(); // nothing else is unheld: this waits for a's drop
  await assert.rejects(sumOf(x.table), /does not exist/);
  // Held files stay whatever the budget: b is held while a loads again (from disk) with no budget.
  budget = 0;
  const again = await store.acquire(a.files[0]!.path, a.schema);
  assert.notEqual(again.table, x.table);
  assert.equal(store.stats().files, 2);
  assert.equal(await sumOf(z.table), -499_500);
  z.release();
  assert.equal(store.stats().files, 1);
  again.release();
  await store.clear();
  assert.deepEqual({ files: store.stats().files, bytes: store.stats().bytes }, { files: 0, bytes: 0 });
});

test('a file that cannot be read fails its plan and is not kept', async () => {
  budget = 1 << 30;
  const missing = `${a.files[0]!.path}.missing`;
  await assert.rejects(store.acquire(missing, a.schema));
  assert.equal(store.stats().files, 0);
  fs.copyFileSync(a.files[0]!.path, missing);
  const lease = await store.acquire(missing, a.schema);
  assert.equal(await sumOf(lease.table), 499_500);
  lease.release();
});
