// INSERT INTO t [(cols)] VALUES (?, ...): a bare parameter standing for a value of a column has
// that column's type in the plan's parameter schema (what CreatePreparedStatement reports, so
// JDBC can bind real values), and binding values of those types gives rows of the table's types.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Bool, DateDay, Float64, Int16, Int64, Table, TimeUnit, Timestamp, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { openDuckDbEngine } from '../../../src/sql/engine/duckdb-engine.ts';
import type { SqlEngine } from '../../../src/sql/engine/sql-engine.ts';
import { valuesParameterColumns } from '../../../src/sql/engine/insert-parameter-types.ts';
import { TestTables, collect } from './fixtures.ts';

const tables = new TestTables();
let engine: SqlEngine;
before(async () => {
  tables.add('typed/t', [{ format: 'parquet', table: new Table({
    i: vectorFromArray([1n], new Int64()), s: vectorFromArray(['a'], new Utf8()), d: vectorFromArray([1.5], new Float64()),
    b: vectorFromArray([true], new Bool()), day: vectorFromArray([new Date(0)], new DateDay()),
    ts: vectorFromArray([0], new Timestamp(TimeUnit.MICROSECOND)), small: vectorFromArray([1], new Int16()),
  }) }]);
  engine = await openDuckDbEngine({ dataRoot: tables.root });
});
after(async () => {
  await engine.close();
  tables.cleanup();
});

const paramTypes = async (sql: string) => {
  const plan = await engine.plan(sql, tables);
  await plan.close();
  return plan.parameterSchema.fields.map((f) => `${f.name}:${f.type}`);
};

test('bare VALUES parameters take the target columns\' types, in table order or the column list\'s', async () => {
  assert.deepEqual(await paramTypes('INSERT INTO "typed/t" VALUES (?, ?, ?, ?, ?, ?, ?)'),
    ['$1:Int64', '$2:Utf8', '$3:Float64', '$4:Bool', '$5:Date32<DAY>', '$6:Timestamp<MICROSECOND>', '$7:Int16']);
  assert.deepEqual(await paramTypes('INSERT INTO "typed/t" (s, I) VALUES (?, ?), (?, ?)'), ['$1:Utf8', '$2:Int64', '$3:Utf8', '$4:Int64']);
  assert.deepEqual(await paramTypes('INSERT INTO "typed/t" (s, i) VALUES ($2, $1)'), ['$1:Int64', '$2:Utf8']);
  // DuckDB's own inference is kept; a parameter inside an expression has no column to take a type from.
  assert.deepEqual(await paramTypes('INSERT INTO "typed/t" (i, s, small) VALUES (CAST(? AS INTEGER), ? || \'x\', ?)'), ['$1:Int32', '$2:Null', '$3:Int16']);
  assert.deepEqual(await paramTypes('INSERT INTO "typed/t" (i, s) VALUES (coalesce(?, ?), ?)'), ['$1:Null', '$2:Null', '$3:Utf8']);
  // A query that is not an INSERT, or an INSERT into a table that does not exist, is untouched.
  assert.deepEqual(await paramTypes('VALUES (?, ?)'), ['$1:Null', '$2:Null']);
  assert.deepEqual(await paramTypes('INSERT INTO nowhere VALUES (?)'), ['$1:Null']);
});

test('values bound with the reported types come out as the table\'s types', async () => {
  const plan = await engine.plan('INSERT INTO "typed/t" (i, s, d, day) VALUES (?, ?, ?, ?)', tables);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- columns of any Arrow type
  const columns: Record<string, Vector<any>> = {
    a: vectorFromArray([7n, null], new Int64()), b: vectorFromArray(['x', 'y'], new Utf8()), c: vectorFromArray([2.5, 3], new Float64()),
    e: vectorFromArray([new Date(86_400_000), null], new DateDay()),
  };
  const rows = await collect(plan.execute(new Table(columns).batches[0]!));
  await plan.close();
  assert.deepEqual(plan.parameterSchema.fields.map((f) => String(f.type)), ['Int64', 'Utf8', 'Float64', 'Date32<DAY>']);
  assert.equal(rows.length, 2);
  assert.deepEqual(rows.map((r) => Object.values(r).slice(0, 3)), [[7n, 'x', 2.5], [null, 'y', 3]]);
});

test('VALUES parameter positions follow DuckDB\'s numbering', () => {
  assert.deepEqual([...valuesParameterColumns('VALUES (?, f(?), ?), (?, ?, ?)')], [['1', 0], ['3', 2], ['4', 0], ['5', 1], ['6', 2]]);
  assert.deepEqual([...valuesParameterColumns('SELECT ?, ?')], []);
});
