// Strings through the fast path of chunk-to-arrow.ts: inline (<= 12 bytes, copied in whole words
// that spill past the string), heap strings read in runs, empty strings and nulls, mixed in every
// order, over many DuckDB chunks and more than one record batch. Each value is compared with
// DuckDB's own value of the same row, so a spilled word that survives or a run copied to the
// wrong place fails here.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { openDuckDbEngine, RESULT_BATCH_BYTES } from '../../../src/sql/engine/duckdb-engine.ts';
import type { SqlEngine } from '../../../src/sql/engine/sql-engine.ts';
import { TestTables } from './fixtures.ts';

const tables = new TestTables();
let engine: SqlEngine;

before(async () => {
  engine = await openDuckDbEngine({ dataRoot: tables.root });
});
after(async () => {
  await engine.close();
  tables.cleanup();
});

// Lengths 0..40 in a pseudo-random order (so short and long strings alternate irregularly),
// every 11th row null, every 13th empty; multi-byte characters at some lengths.
const ROWS = 150_000;
const SQL = `SELECT i, CASE WHEN i % 11 = 0 THEN NULL WHEN i % 13 = 0 THEN ''
  ELSE left(repeat(CASE WHEN i % 5 = 0 THEN 'é' ELSE chr(97 + (i % 26)::INTEGER) END, 41) || i::VARCHAR, ((i * 7919) % 41)::INTEGER) END AS s
  FROM range(${ROWS}) t(i)`;

test('strings of every length, nulls and empties match DuckDB value for value across chunks and batches', async () => {
  const plan = await engine.plan(SQL, tables);
  const got: (string | null)[] = new Array(ROWS);
  let batches = 0;
  let bytes = 0;
  for await (const b of plan.execute(null)) {
    batches++;
    bytes += b.data.children.reduce((n, c) => n + c.byteLength, 0);
    const ids = b.getChild('i')!;
    const s = b.getChild('s')!;
    for (let r = 0; r < b.numRows; r++) got[Number(ids.get(r))] = s.get(r) as string | null;
  }
  await plan.close();
  assert.ok(bytes > RESULT_BATCH_BYTES, `the result (${bytes} bytes) should span more than one batch`);
  assert.ok(batches >= 2);

  const oracle = await DuckDBInstance.create(':memory:');
  const con = await oracle.connect();
  const rows = (await con.runAndReadAll(SQL)).getRows();
  con.closeSync();
  oracle.closeSync();
  assert.equal(rows.length, ROWS);
  let mismatches = 0;
  for (const [i, s] of rows) {
    if (got[Number(i)] !== s && mismatches++ < 5) assert.fail(`row ${i}: got ${JSON.stringify(got[Number(i)])}, DuckDB says ${JSON.stringify(s)}`);
  }
  assert.equal(mismatches, 0);
});
