// A plan closed without executing (GetFlightInfo's) is parked and taken by the next plan of the
// same query over the same files (DoGet's); these pin what that reuse may and may not do: the
// reused plan returns the pinned version's rows, a plan over a newer version never gets an older
// version's views, an executed plan is never reused, and the engine shuts down with plans parked.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { tableFromArrays } from 'apache-arrow';
import { openDuckDbEngine } from '../../../src/sql/engine/duckdb-engine.ts';
import type { PinnedTable, SqlEngine, TableResolver } from '../../../src/sql/engine/sql-engine.ts';
import { TestTables, collect } from './fixtures.ts';

const tables = new TestTables();
let engine: SqlEngine;

before(async () => {
  tables.add('t', [{ table: tableFromArrays({ id: Int32Array.from([1, 2]) }), format: 'parquet' }]);
  engine = await openDuckDbEngine({ dataRoot: tables.root });
});
after(async () => {
  await engine.close();
  tables.cleanup();
});

/** The resolver a DoGet uses: every name at the version the ticket pinned. */
const pinnedAt = (version: number): TableResolver => ({ resolve: (name: string) => tables.resolve(name, version) });

async function rowsOf(sql: string, resolver: TableResolver) {
  const plan = await engine.plan(sql, resolver);
  try {
    return await collect(plan.execute(null));
  } finally {
    await plan.close();
  }
}

test('a plan closed unexecuted serves the next identical plan, and only over the same files', async () => {
  const sql = 'SELECT sum(id)::BIGINT AS s, count(*) AS n FROM t';
  const first = await engine.plan(sql, tables);
  assert.deepEqual(first.tables.map((t: PinnedTable) => t.version), [1]);
  await first.close(); // parked
  tables.add('t', [{ table: tableFromArrays({ id: Int32Array.from([10, 20, 30]) }), format: 'parquet' }]);
  // Current is version 2 now: other files, so not version 1's parked plan.
  assert.deepEqual(await rowsOf(sql, tables), [{ s: 60n, n: 3n }]);
  // A ticket's plan (version 1) takes the plan GetFlightInfo parked; its rows are version 1's.
  await (await engine.plan(sql, pinnedAt(1))).close();
  assert.deepEqual(await rowsOf(sql, pinnedAt(1)), [{ s: 3n, n: 2n }]);
  // That plan executed, so it was not parked again; a fresh one still reads version 1.
  assert.deepEqual(await rowsOf(sql, pinnedAt(1)), [{ s: 3n, n: 2n }]);
});

test('a closed plan taken from the parked ones can be planned, closed and taken again, and differs by query text', async () => {
  for (let i = 0; i < 3; i++) await (await engine.plan('SELECT count(*) AS n FROM t', tables)).close();
  assert.deepEqual(await rowsOf('SELECT count(*) AS n FROM t', tables), [{ n: 3n }]);
  assert.deepEqual(await rowsOf('SELECT count(*) + 1 AS n FROM t', tables), [{ n: 4n }]);
});

test('the engine closes with plans still parked', async () => {
  const other = await openDuckDbEngine({ dataRoot: tables.root });
  for (const sql of ['SELECT 1 AS a FROM t', 'SELECT 2 AS b FROM t']) await (await other.plan(sql, tables)).close();
  await other.close();
  await assert.rejects(other.plan('SELECT 1 AS a FROM t', tables), /shut down/);
});

test('a plan over an Arrow IPC version parks with its loaded rows: the next identical plan reads no file', async () => {
  const ipc = tables.add('fresh', [{ table: tableFromArrays({ id: Int32Array.from([5, 6, 7]) }), format: 'arrow-stream' }]);
  const sql = 'SELECT sum(id)::BIGINT AS s FROM fresh';
  await (await engine.plan(sql, tables)).close(); // GetFlightInfo's plan, parked with the temp table
  // Files are immutable, so only a deleted file shows whether the next plan loaded it again.
  const file = ipc.files[0]!.path;
  const bytes = fs.readFileSync(file);
  fs.rmSync(file);
  try {
    assert.deepEqual(await rowsOf(sql, tables), [{ s: 18n }]);
    // That plan executed, so none is parked now: a new plan has to read the (missing) file.
    await assert.rejects(rowsOf(sql, tables));
  } finally {
    fs.writeFileSync(file, bytes);
  }
  assert.deepEqual(await rowsOf(sql, tables), [{ s: 18n }]);
});
