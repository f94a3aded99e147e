// A plan closed without executing (GetFlightInfo's), or after an execution that ran to its end,
// is parked and taken by the next plan of the same query over the same files (DoGet's, or a
// repeated query's); these pin what that reuse may and may not do: the reused plan returns the
// pinned version's rows, a plan over a newer version never gets an older version's views, an
// execution that stopped part way is not reused, the engine shuts down with plans parked, and
// Arrow IPC files loaded once serve later queries (ipc-store.ts) within the byte budget.
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
  // That plan ran to its end, so it was parked again: the next one takes it, still version 1's.
  assert.deepEqual(await rowsOf(sql, pinnedAt(1)), [{ s: 3n, n: 2n }]);
  assert.deepEqual(await rowsOf(sql, tables), [{ s: 60n, n: 3n }]);
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

test('an execution abandoned part way is not reused: the next identical query returns every row', async () => {
  // No table: streamed, several batches of 3.5 MiB.
  const sql = 'SELECT range AS i, range * 2 AS j FROM range(1500000)';
  const plan = await engine.plan(sql, tables);
  for await (const batch of plan.execute(null)) {
    assert.ok(batch.numRows > 0);
    break;
  }
  await plan.close();
  const again = await engine.plan(sql, tables);
  let rows = 0;
  try {
    for await (const batch of again.execute(null)) rows += batch.numRows;
  } finally {
    await again.close();
  }
  assert.equal(rows, 1_500_000);
});

/** Deletes `file` while `body` runs (files are immutable: only a missing file shows whether a plan read it). */
async function withoutFile(file: string, body: () => Promise<void>): Promise<void> {
  const bytes = fs.readFileSync(file);
  fs.rmSync(file);
  try {
    await body();
  } finally {
    fs.writeFileSync(file, bytes);
  }
}

test('an Arrow IPC file loaded once serves later queries of any text and later versions that name it, reading no file', async () => {
  const ipc = tables.add('fresh', [{ table: tableFromArrays({ id: Int32Array.from([5, 6, 7]) }), format: 'arrow-stream' }]);
  assert.deepEqual(await rowsOf('SELECT sum(id)::BIGINT AS s FROM fresh', tables), [{ s: 18n }]);
  // Version 2 adds a file: it still names version 1's, which is not read again.
  tables.append('fresh', [{ table: tableFromArrays({ id: Int32Array.from([100]) }), format: 'arrow-stream' }]);
  await withoutFile(ipc.files[0]!.path, async () => {
    assert.deepEqual(await rowsOf('SELECT count(*) AS n, max(id) AS m FROM fresh', pinnedAt(1)), [{ n: 3n, m: 7 }]);
    assert.deepEqual(await rowsOf('SELECT count(*) AS n, max(id) AS m FROM fresh', tables), [{ n: 4n, m: 100 }]);
  });
});

test('with no IPC budget a parked plan still holds its loaded file, and a query of other text shares it', async () => {
  const small = await openDuckDbEngine({ dataRoot: tables.root, ipcCacheBytes: 0 });
  try {
    const ipc = tables.add('brief', [{ table: tableFromArrays({ id: Int32Array.from([1, 2, 3, 4]) }), format: 'arrow-stream' }]);
    const run = async (sql: string) => {
      const plan = await small.plan(sql, tables);
      try {
        return await collect(plan.execute(null));
      } finally {
        await plan.close();
      }
    };
    const sql = 'SELECT sum(id)::BIGINT AS s FROM brief';
    await (await small.plan(sql, tables)).close(); // parked, holding the loaded file
    await withoutFile(ipc.files[0]!.path, async () => {
      assert.deepEqual(await run(sql), [{ s: 10n }]);
      assert.deepEqual(await run('SELECT count(*) AS n FROM brief'), [{ n: 4n }]);
    });
  } finally {
    await small.close();
  }
});
