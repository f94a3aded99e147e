// Read-only set while maintenance or an import is under way stops it at its next step: tables
// after the step that saw it keep their versions, and an import commits nothing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { QuiverError } from '../../src/errors.ts';
import { MaintenanceRunner } from '../../src/storage/maintenance/runner.ts';
import { importParquet } from '../../src/storage/parquet-import.ts';
import { CORPUS } from '../harness/quiver-process.ts';
import type { TableStore } from '../../src/storage/table-store.ts';
import { closeStore, part, put, quietLog, tempStore } from '../storage/maintenance-fixtures.ts';

const stores: TableStore[] = [];
after(async () => {
  for (const s of stores) await closeStore(s);
});

test('maintenance stops at the step after read-only is set', async () => {
  const store = tempStore();
  stores.push(store);
  const tables = ['a', 'b', 'c'];
  for (const t of tables) {
    await put(store, t, part(1, [3]));
    await put(store, t, part(2, [3]));
  }
  await new Promise((r) => setTimeout(r, 20));
  let readOnly = false;
  const runner = new MaintenanceRunner(store, { retentionMs: 0, gcGraceMs: 3_600_000, compaction: { smallFileBytes: 1, minSmallFiles: 100 }, readOnly: () => readOnly }, quietLog());
  const done: string[] = [];
  await assert.rejects(
    runner.run({ tasks: ['expire'] }, (step) => {
      done.push('table' in step ? String(step.table) : 'gc');
      readOnly = true; // an operator sets read-only while the run is under way
    }),
    (e: unknown) => e instanceof QuiverError && e.code === 'FAILED_PRECONDITION' && /became read-only/.test(e.message),
  );
  assert.equal(done.length, 1, `steps after read-only ran: ${done.join(', ')}`);
  const kept = await Promise.all(tables.filter((t) => !done.includes(t)).map(async (t) => (await store.history(t)).length));
  assert.deepEqual(kept, [2, 2]);
  // Lifted, the next run does the rest.
  readOnly = false;
  await runner.run({ tasks: ['expire'] });
  for (const t of tables) assert.equal((await store.history(t)).length, 1);
});

test('an import stops at the step after read-only is set, and commits nothing', async () => {
  const store = tempStore();
  stores.push(store);
  const importDir = path.join(store.root, 'imports');
  fs.mkdirSync(importDir);
  for (const f of ['a', 'b']) fs.copyFileSync(path.join(CORPUS, 'parquet/alltypes_plain.parquet'), path.join(importDir, `${f}.parquet`));
  let steps = 0;
  const refuse = () => {
    // Read-only arrives while the first step runs: every later check refuses.
    if (steps++ > 0) throw new QuiverError('FAILED_PRECONDITION', 'import refused: the server is read-only');
  };
  await assert.rejects(
    importParquet(store, importDir, { table: 'imported', mode: 'create', files: ['a.parquet', 'b.parquet'], verify: true }, { checkWritable: refuse }),
    (e: unknown) => e instanceof QuiverError && e.code === 'FAILED_PRECONDITION',
  );
  assert.equal(await store.coordinator.head('imported'), null);
  const dataDir = path.join(store.tableDir('imported'), 'data');
  assert.deepEqual(fs.existsSync(dataDir) ? fs.readdirSync(dataDir) : [], [], 'the stopped import left files behind');
  // Writable again, the same import goes through.
  const m = await importParquet(store, importDir, { table: 'imported', mode: 'create', files: ['a.parquet', 'b.parquet'], verify: true }, { checkWritable: () => undefined });
  assert.equal(m.rows, 16);
});
