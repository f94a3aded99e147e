// Parameters bound from an Arrow batch, as ADBC and JDBC DoPut them: one execution per row, nulls,
// and every Arrow type they send, each arriving in DuckDB as its own SQL type with its value.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  Binary, Bool, DateDay, Decimal, Field, Float32, Float64, Int16, Int64, Int8, Interval, IntervalUnit, Null, RecordBatch, Schema, Struct,
  Time, TimeUnit, Timestamp, Uint32, Utf8, makeData, vectorFromArray, Table, tableFromArrays, type Vector,
} from 'apache-arrow';
import { openDuckDbEngine } from '../../../src/sql/engine/duckdb-engine.ts';
import type { SqlEngine } from '../../../src/sql/engine/sql-engine.ts';
import { QuiverError } from '../../../src/errors.ts';
import { TestTables, collect } from './fixtures.ts';

const tables = new TestTables();
let engine: SqlEngine;
before(async () => {
  tables.add('t', [{ table: tableFromArrays({ id: Int32Array.from([1, 2, 3]), name: ['a', 'b', 'c'] }), format: 'parquet' }]);
  engine = await openDuckDbEngine({ dataRoot: tables.root });
});
after(async () => {
  await engine.close();
  tables.cleanup();
});

async function run(sql: string, batch: RecordBatch | null) {
  const plan = await engine.plan(sql, tables);
  try {
    return { plan, rows: await collect(plan.execute(batch)) };
  } finally {
    await plan.close();
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- columns of any Arrow type
const batchOf = (columns: Record<string, Vector<any>>) => new Table(columns).batches[0]!;

test('each Arrow parameter type binds as its SQL type, with nulls', async () => {
  const decimalData = makeData({ type: new Decimal(2, 10, 128), length: 2, nullCount: 1, nullBitmap: Uint8Array.of(1),
    data: Uint32Array.of(0xfffffc18, 0xffffffff, 0xffffffff, 0xffffffff, 0, 0, 0, 0) }); // -10.00, null
  const intervalData = makeData({ type: new Interval(IntervalUnit.MONTH_DAY_NANO), length: 2, nullCount: 0,
    data: Int32Array.of(1, 2, 3_000_000_000 | 0, 0, 0, 0, 5000, 0) });
  const batch = batchOf({
    i8: vectorFromArray([-5, null], new Int8()), i16: vectorFromArray([300, 7], new Int16()), i64: vectorFromArray([2n ** 62n, -1n], new Int64()),
    u32: vectorFromArray([4_000_000_000, 1], new Uint32()), f32: vectorFromArray([1.5, null], new Float32()), f64: vectorFromArray([-0.25, 1e300], new Float64()),
    s: vectorFromArray(['héllo', null], new Utf8()), b: vectorFromArray([Uint8Array.of(0, 255), Uint8Array.of()], new Binary()),
    bo: vectorFromArray([true, false], new Bool()), d: vectorFromArray([new Date(Date.UTC(2021, 0, 2)), null], new DateDay()),
    tm: vectorFromArray([45_296_789_000n, 0n], new Time(TimeUnit.MICROSECOND, 64)),
    ts: vectorFromArray([1_600_000_000_123, 0], new Timestamp(TimeUnit.MILLISECOND)),
    tz: vectorFromArray([1_600_000_000_123, -1], new Timestamp(TimeUnit.MILLISECOND, 'UTC')),
    dec: makeVectorOf(decimalData), iv: makeVectorOf(intervalData), nul: vectorFromArray([null, null], new Null()),
  });
  const names = batch.schema.fields.map((f) => f.name);
  const sql = `SELECT ${names.map((n, k) => `typeof($${k + 1}) AS ${n}_type, CAST($${k + 1} AS VARCHAR) AS ${n}`).join(', ')}`;
  const { plan, rows } = await run(sql, batch);
  assert.equal(plan.parameterSchema.fields.length, names.length);
  assert.deepEqual(Object.fromEntries(names.map((n) => [n, rows[0]![n]])), {
    i8: '-5', i16: '300', i64: '4611686018427387904', u32: '4000000000', f32: '1.5', f64: '-0.25', s: 'héllo', b: '\\x00\\xFF', bo: 'true',
    d: '2021-01-02', tm: '12:34:56.789', ts: '2020-09-13 12:26:40.123', tz: '2020-09-13 12:26:40.123+00', dec: '-10.00',
    iv: '1 month 2 days 00:00:03', nul: null,
  });
  assert.deepEqual(Object.fromEntries(names.map((n) => [n, rows[0]![`${n}_type`]])), {
    i8: 'TINYINT', i16: 'SMALLINT', i64: 'BIGINT', u32: 'UINTEGER', f32: 'FLOAT', f64: 'DOUBLE', s: 'VARCHAR', b: 'BLOB', bo: 'BOOLEAN',
    d: 'DATE', tm: 'TIME', ts: 'TIMESTAMP_MS', tz: 'TIMESTAMP WITH TIME ZONE', dec: 'DECIMAL(10,2)', iv: 'INTERVAL', nul: '"NULL"',
  });
  assert.deepEqual([rows[1]!.i8, rows[1]!.f32, rows[1]!.s, rows[1]!.d, rows[1]!.dec, rows[1]!.b, rows[1]!.iv], [null, null, null, null, null, '', '00:00:00.000005']);
});

test('a parameter batch of many rows runs once per row; a typed parameter reports its type in the plan', async () => {
  const { plan, rows } = await run('SELECT id, name FROM t WHERE id = $1', batchOf({ p: vectorFromArray([3n, 1n, 99n, null], new Int64()) }));
  assert.deepEqual(plan.parameterSchema.fields.map((f) => [f.name, String(f.type)]), [['$1', 'Int32']]);
  assert.deepEqual(rows, [{ id: 3, name: 'c' }, { id: 1, name: 'a' }]);
});

test('an untyped parameter is a Null-typed wildcard in the plan; missing or extra parameters are INVALID_ARGUMENT', async () => {
  const plan = await engine.plan('SELECT ? IS NULL AS x', tables);
  assert.equal(String(plan.parameterSchema.fields[0]!.type), 'Null');
  await assert.rejects(collect(plan.execute(null)), (e: unknown) => e instanceof QuiverError && e.code === 'INVALID_ARGUMENT' && /none were bound/.test(e.message));
  const two = batchOf({ a: vectorFromArray([1], new Int8()), b: vectorFromArray([1], new Int8()) });
  await assert.rejects(collect(plan.execute(two)), (e: unknown) => e instanceof QuiverError && /2 column/.test(e.message));
  assert.deepEqual(await collect(plan.execute(batchOf({ a: vectorFromArray(['x', null], new Utf8()) }))), [{ x: false }, { x: true }]);
  await plan.close();
  // A parameter in the select list: the plan cannot type it; the batches carry the bound type.
  const echo = await engine.plan('SELECT ? AS v', tables);
  assert.equal(String(echo.schema.fields[0]!.type), 'Null');
  assert.equal(echo.schema.fields[0]!.metadata.get('ARROW:FLIGHT:SQL:TYPE_NAME'), 'UNKNOWN');
  const batches = [];
  for await (const b of echo.execute(batchOf({ a: vectorFromArray(['x', 'y'], new Utf8()) }))) batches.push(b);
  assert.deepEqual(batches.flatMap((b) => b.toArray().map((r) => r.toJSON())), [{ v: 'x' }, { v: 'y' }]);
  assert.equal(String(batches[0]!.schema.fields[0]!.type), 'Utf8');
  await echo.close();
});

function makeVectorOf(data: ReturnType<typeof makeData>) {
  return new Table(new Schema([new Field('x', data.type, true)]), new RecordBatch(new Schema([new Field('x', data.type, true)]),
    makeData({ type: new Struct([new Field('x', data.type, true)]), length: data.length, children: [data] }))).getChildAt(0)!;
}

test('a parameter the plan could not type takes the Arrow type of its batch column', async () => {
  const plan = await engine.plan('SELECT ? + 1 AS x', tables);
  try {
    assert.equal(String(plan.schema.fields[0]!.type), 'Null');
    const batch = batchOf({ p: vectorFromArray([1n], new Int64()) });
    assert.equal(String((await plan.schemaWith!(batch.schema)).fields[0]!.type), 'Int64');
    const out: RecordBatch[] = [];
    for await (const b of plan.execute(batch)) out.push(b);
    assert.equal(String(out[0]!.schema.fields[0]!.type), 'Int64');
    assert.deepEqual(out.flatMap((b) => b.toArray().map((r) => r.toJSON())), [{ x: 2n }]);
  } finally {
    await plan.close();
  }
});

test('rows that bind NULL keep the result types of the batch columns (INSERT-like VALUES over many rows)', async () => {
  const batch = batchOf({ a: vectorFromArray([1n, null, 3n], new Int64()), b: vectorFromArray(['x', null, 'z'], new Utf8()) });
  const plan = await engine.plan('SELECT * FROM (VALUES (?, ?)) AS v(a, b)', tables);
  try {
    const schema = await plan.schemaWith!(batch.schema);
    assert.deepEqual(schema.fields.map((f) => String(f.type)), ['Int64', 'Utf8']);
    const out: RecordBatch[] = [];
    for await (const b of plan.execute(batch)) out.push(b);
    for (const b of out) assert.deepEqual(b.schema.fields.map((f) => String(f.type)), ['Int64', 'Utf8']);
    assert.deepEqual(out.flatMap((b) => b.toArray().map((r) => r.toJSON())), [{ a: 1n, b: 'x' }, { a: null, b: null }, { a: 3n, b: 'z' }]);
  } finally {
    await plan.close();
  }
});
