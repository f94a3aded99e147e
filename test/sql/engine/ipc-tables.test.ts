// Tables stored as Arrow IPC (the types Parquet cannot hold exactly stay IPC) are queryable,
// each stored type becoming the DuckDB type stored-types.ts documents, values intact.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  Binary, DateMillisecond, Decimal, Dictionary, Field, Float16, Int16, Int32, Interval, IntervalUnit, LargeUtf8, List, Schema, Struct,
  TimeUnit, Timestamp, Uint64, Utf8, makeData, makeVector, vectorFromArray, Table, RecordBatch, Time, Duration,
} from 'apache-arrow';
import { openDuckDbEngine } from '../../../src/sql/engine/duckdb-engine.ts';
import type { SqlEngine } from '../../../src/sql/engine/sql-engine.ts';
import { TestTables, collect } from './fixtures.ts';

const tables = new TestTables();

function int64Vector(type: Timestamp | Duration, values: (bigint | null)[]) {
  const nulls = values.filter((v) => v === null).length;
  const bitmap = Uint8Array.of(values.reduce<number>((m, v, i) => (v === null ? m : m | (1 << i)), 0));
  return makeVector(makeData({ type, length: values.length, nullCount: nulls, nullBitmap: nulls ? bitmap : undefined,
    data: BigInt64Array.from(values, (v) => v ?? 0n) } as never));
}
let engine: SqlEngine;

before(async () => {
  const decimal = makeData({ type: new Decimal(3, 20, 128), length: 2, nullCount: 0, data: Uint32Array.of(12345, 0, 0, 0, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff) });
  const mdn = makeData({ type: new Interval(IntervalUnit.MONTH_DAY_NANO), length: 2, nullCount: 0, data: Int32Array.of(14, 3, 1_500_000, 0, 0, -1, 0, 0) });
  const fields = [new Field('dec', decimal.type, true), new Field('mdn', mdn.type, true)];
  const base = new Table({
    u64: vectorFromArray([2n ** 64n - 1n, 0n], new Uint64()),
    half: vectorFromArray([1.5, -2], new Float16()),
    dms: vectorFromArray([new Date(Date.UTC(2020, 1, 29)), null], new DateMillisecond()),
    tsz: int64Vector(new Timestamp(TimeUnit.NANOSECOND, 'Europe/Paris'), [1_600_000_000_123_456_789n, -1n]),
    t32: vectorFromArray([45_296_789, null], new Time(TimeUnit.MILLISECOND, 32)),
    dur: int64Vector(new Duration(TimeUnit.MICROSECOND), [90_000_000n, null]),
    big: vectorFromArray(['large utf8 value', 'x'], new LargeUtf8()),
    bin: vectorFromArray([Uint8Array.of(1, 2, 3), null], new Binary()),
    dict: vectorFromArray(['a', 'a'], new Dictionary(new Utf8(), new Int16())),
    list: vectorFromArray([[1, 2], null], new List(new Field('item', new Int32(), true))),
  });
  const table = new Table([new RecordBatch(new Schema([...base.schema.fields, ...fields]),
    makeData({ type: new Struct([...base.schema.fields, ...fields]), length: 2, children: [...base.batches[0]!.data.children, decimal, mdn] }))]);
  tables.add('ipc/all', [{ table, format: 'arrow-stream' }]);
  engine = await openDuckDbEngine({ dataRoot: tables.root });
});
after(async () => {
  await engine.close();
  tables.cleanup();
});

test('stored IPC types come back as their documented DuckDB types with their values', async () => {
  const cols = ['u64', 'half', 'dms', 'tsz', 't32', 'dur', 'big', 'bin', 'dict', 'list', 'dec', 'mdn'];
  const plan = await engine.plan(`SELECT ${cols.map((c) => `typeof(${c}) AS ${c}_t, CAST(${c} AS VARCHAR) AS ${c}`).join(', ')} FROM "ipc/all"`, tables);
  const rows = await collect(plan.execute(null));
  await plan.close();
  assert.deepEqual(Object.fromEntries(cols.map((c) => [c, rows[0]![`${c}_t`]])), {
    u64: 'UBIGINT', half: 'FLOAT', dms: 'DATE', tsz: 'TIMESTAMP WITH TIME ZONE', t32: 'TIME', dur: 'INTERVAL', big: 'VARCHAR', bin: 'BLOB',
    dict: 'VARCHAR', list: 'INTEGER[]', dec: 'DECIMAL(20,3)', mdn: 'INTERVAL',
  });
  assert.deepEqual(Object.fromEntries(cols.map((c) => [c, rows[0]![c]])), {
    u64: '18446744073709551615', half: '1.5', dms: '2020-02-29', tsz: '2020-09-13 12:26:40.123456+00', t32: '12:34:56.789', dur: '00:01:30',
    big: 'large utf8 value', bin: '\\x01\\x02\\x03', dict: 'a', list: '[1, 2]', dec: '12.345', mdn: '1 year 2 months 3 days 00:00:00.0015',
  });
  assert.deepEqual(Object.fromEntries(cols.map((c) => [c, rows[1]![c]])), {
    u64: '0', half: '-2.0', dms: null, tsz: '1969-12-31 23:59:59.999999+00', t32: null, dur: null, big: 'x', bin: null, dict: 'a', list: null,
    dec: '-0.001', mdn: '-1 day',
  });
});
