// executeIpc (the engine encoding its result as IPC messages, which the Flight SQL DoGet sends)
// against execute (record batches): the same values, row for row, for every type the converter
// writes, nested ones and nulls included, over more than one batch, so a sink whose reused buffers
// leak one batch's bytes into the next, or a body laid out in the wrong order, fails here.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Message, type RecordBatch } from 'apache-arrow';
import { BatchDecoder } from '../../../src/arrow/batch-codec.ts';
import { openDuckDbEngine } from '../../../src/sql/engine/duckdb-engine.ts';
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

const json = (rows: unknown) => JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v));

async function both(sql: string): Promise<{ direct: RecordBatch[]; viaIpc: RecordBatch[]; frames: number }> {
  const plan = await engine.plan(sql, tables);
  try {
    const direct: RecordBatch[] = [];
    for await (const b of plan.execute(null)) direct.push(b);
    assert.ok(plan.executeIpc, 'the DuckDB engine encodes IPC itself');
    const decoder = new BatchDecoder(plan.schema);
    const viaIpc: RecordBatch[] = [];
    let frames = 0;
    for await (const f of plan.executeIpc(null)) {
      frames++;
      assert.equal(f.body.byteLength % 8, 0, 'bodies are padded to 8 bytes');
      assert.ok(Message.decode(f.header).bodyLength === f.body.byteLength);
      const b = decoder.decode(f);
      if (b) viaIpc.push(b);
    }
    return { direct, viaIpc, frames };
  } finally {
    await plan.close();
  }
}

function rowsOf(batches: RecordBatch[]): string[] {
  return batches.flatMap((b) => b.toArray().map((r) => json(r.toJSON())));
}

test('every converted type, nulls included, comes out of executeIpc as out of execute, over several batches', async () => {
  // ~150 bytes a row: 60,000 rows make several 3.5 MiB batches, so buffers are reused.
  const sql = `SELECT (i % 100)::TINYINT AS i8, i::INTEGER AS i32, i::BIGINT * 1000003 AS i64, i::UBIGINT AS u64, (i / 7)::FLOAT AS f32, i / 3.0 AS f64,
      CASE WHEN i % 3 = 0 THEN NULL ELSE i % 2 = 0 END AS b,
      CASE WHEN i % 5 = 0 THEN NULL ELSE 'short' || (i % 100)::VARCHAR END AS s,
      CASE WHEN i % 7 = 0 THEN NULL ELSE repeat('long-string-', 1 + i % 3) || i::VARCHAR END AS ls,
      (i % 1000)::DECIMAL(9, 2) AS d9, (i * 12345)::DECIMAL(18, 3) AS d18, i::HUGEINT * 1000000000000 AS h,
      DATE '2020-01-01' + (i % 1000)::INTEGER AS dt, TIMESTAMP '2020-01-01' + to_microseconds(i) AS ts,
      TIMESTAMPTZ '2020-01-01 00:00:00+00' + to_seconds(i) AS tz, TIME '01:02:03' + to_seconds(i % 1000) AS tm,
      to_days((i % 30)::INTEGER) + to_microseconds(i) AS iv, i % 2 = 1 AS odd,
      CASE WHEN i % 4 = 0 THEN NULL ELSE [i, i + 1, NULL] END AS l,
      CASE WHEN i % 6 = 0 THEN NULL ELSE {'a': i, 'b': 'x' || (i % 10)::VARCHAR} END AS st,
      MAP {'k' || (i % 3)::VARCHAR: i} AS m, [i::DOUBLE, 2.5]::DOUBLE[2] AS arr,
      ('00000000-0000-0000-0000-' || lpad((i % 100000)::VARCHAR, 12, '0'))::UUID AS u, NULL AS n,
      encode('blob' || i::VARCHAR) AS bl
    FROM range(60000) t(i)`;
  const { direct, viaIpc, frames } = await both(sql);
  assert.ok(direct.length >= 2, `more than one batch (${direct.length})`);
  assert.equal(frames, direct.length);
  assert.deepEqual(viaIpc.map((b) => b.numRows), direct.map((b) => b.numRows));
  assert.deepEqual(rowsOf(viaIpc), rowsOf(direct));
});

test('an ENUM result (a dictionary) is encoded with its dictionary messages', async () => {
  const sql = `SELECT i, CASE WHEN i % 3 = 0 THEN NULL ELSE (['red', 'green', 'blue'][(i % 3)::INTEGER + 1])::ENUM('red', 'green', 'blue') END AS c FROM range(5000) t(i)`;
  const { direct, viaIpc, frames } = await both(sql);
  assert.ok(frames > direct.length, 'dictionary messages precede the record batches');
  assert.deepEqual(rowsOf(viaIpc), rowsOf(direct));
});

test('an empty result yields no messages', async () => {
  const { direct, frames } = await both('SELECT 1::INTEGER AS x WHERE false');
  assert.equal(direct.length, 0);
  assert.equal(frames, 0);
});
