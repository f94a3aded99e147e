// Queries over real quiver table files: Parquet and Arrow IPC tables, names with '/', qualified
// names, time travel with AT (VERSION => n), result metadata, and the statement kinds' plans.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { tableFromArrays, vectorFromArray, Dictionary, Int32, Utf8, makeTable, Table } from 'apache-arrow';
import { openDuckDbEngine } from '../../../src/sql/engine/duckdb-engine.ts';
import type { SqlEngine } from '../../../src/sql/engine/sql-engine.ts';
import { QuiverError } from '../../../src/errors.ts';
import { TestTables, collect } from './fixtures.ts';

const tables = new TestTables();
let engine: SqlEngine;

before(async () => {
  tables.add('sales/eu', [{ table: tableFromArrays({ id: Int32Array.from([1, 2]), region: ['EU', 'EU'] }), format: 'parquet' }]);
  tables.add('sales/eu', [
    { table: tableFromArrays({ id: Int32Array.from([1, 2]), region: ['EU', 'EU'] }), format: 'parquet' },
    { table: tableFromArrays({ id: Int32Array.from([3]), region: ['UK'] }), format: 'parquet' },
  ]);
  const color = vectorFromArray(['red', 'blue', 'red', null], new Dictionary(new Utf8(), new Int32()));
  tables.add('events', [
    { table: new Table({ n: vectorFromArray([10, 20, null, 40], new Int32()), color, label: vectorFromArray(['a', 'a long label past twelve bytes', null, 'd']) }), format: 'arrow-stream' },
  ]);
  tables.add('Mixed', [
    { table: tableFromArrays({ k: Int32Array.from([1]) }), format: 'parquet' },
    { table: tableFromArrays({ k: Int32Array.from([2]) }), format: 'arrow-stream' },
  ]);
  tables.add('ünï/cødé "q"', [{ table: tableFromArrays({ 'wért': Int32Array.from([7]) }), format: 'parquet' }]);
  tables.add('empty', [{ table: makeTable({ a: new Int32Array(0) }), format: 'parquet' }]);
  engine = await openDuckDbEngine({ dataRoot: tables.root });
});
after(async () => {
  await engine.close();
  tables.cleanup();
});

async function query(sql: string) {
  const plan = await engine.plan(sql, tables);
  try {
    return { plan, rows: await collect(plan.execute(null)) };
  } finally {
    await plan.close();
  }
}

test('a table named with / is queryable quoted, schema-qualified and catalog-qualified, at its current version', async () => {
  for (const ref of ['"sales/eu"', 'main."sales/eu"', 'quiver.main."sales/eu"', 'QUIVER.MAIN."sales/eu"']) {
    const { plan, rows } = await query(`SELECT id, region FROM ${ref} ORDER BY id`);
    assert.deepEqual(rows, [{ id: 1, region: 'EU' }, { id: 2, region: 'EU' }, { id: 3, region: 'UK' }], ref);
    assert.deepEqual(plan.tables.map((t) => [t.name, t.version]), [['sales/eu', 2]]);
  }
});

test('AT (VERSION => n) reads that version, beside the current one in the same query', async () => {
  const { plan, rows } = await query(
    'SELECT (SELECT count(*) FROM "sales/eu" AT (VERSION => 1)) AS old, (SELECT count(*) FROM "sales/eu") AS cur, ' +
    '(SELECT max(s.id) FROM "sales/eu" AS s AT (VERSION => 1)) AS old_max');
  assert.deepEqual(rows, [{ old: 2n, cur: 3n, old_max: 2 }]);
  assert.deepEqual(plan.tables.map((t) => [t.name, t.version]), [['sales/eu', 1], ['sales/eu', 2]]);
  await assert.rejects(engine.plan('SELECT * FROM "sales/eu" AT (VERSION => 9)', tables), (e: unknown) => e instanceof QuiverError && e.code === 'NOT_FOUND');
  await assert.rejects(engine.plan('SELECT * FROM "sales/eu" AT (TIMESTAMP => now())', tables), /AT \(VERSION => n\)/);
});

test('a table stored as Arrow IPC is queryable: dictionaries become values, nulls and long strings intact', async () => {
  const { plan, rows } = await query('SELECT * FROM events');
  assert.deepEqual(rows, [
    { n: 10, color: 'red', label: 'a' }, { n: 20, color: 'blue', label: 'a long label past twelve bytes' },
    { n: null, color: 'red', label: null }, { n: 40, color: null, label: 'd' },
  ]);
  assert.equal(String(plan.schema.fields[1]!.type), 'Utf8');
  const joined = await query('SELECT e.n, s.region FROM events e JOIN "sales/eu" s ON s.id * 10 = e.n ORDER BY 1');
  assert.deepEqual(joined.rows, [{ n: 10, region: 'EU' }, { n: 20, region: 'EU' }]);
});

test('a version mixing Parquet and IPC files reads both; a table with no rows has its columns', async () => {
  assert.deepEqual((await query('SELECT k FROM "Mixed" ORDER BY k')).rows, [{ k: 1 }, { k: 2 }]);
  const { plan, rows } = await query('SELECT * FROM empty');
  assert.deepEqual(rows, []);
  assert.equal(plan.schema.fields[0]!.name, 'a');
});

test('CTEs shadow tables and are not resolved; unknown tables are NOT_FOUND', async () => {
  tables.resolved.length = 0;
  assert.deepEqual((await query('WITH events AS (SELECT 42 AS x) SELECT * FROM events')).rows, [{ x: 42 }]);
  assert.deepEqual(tables.resolved, []);
  await assert.rejects(engine.plan('SELECT * FROM nope', tables), (e: unknown) => e instanceof QuiverError && e.code === 'NOT_FOUND');
});

test('result fields carry Flight SQL metadata; the plan reports schemas before running', async () => {
  const plan = await engine.plan('SELECT id, id + 1 AS next, $1::VARCHAR AS p FROM "sales/eu" WHERE id > ?', tables);
  const id = plan.schema.fields[0]!;
  assert.equal(id.metadata.get('ARROW:FLIGHT:SQL:TYPE_NAME'), 'INTEGER');
  assert.equal(id.metadata.get('ARROW:FLIGHT:SQL:TABLE_NAME'), 'sales/eu');
  assert.equal(id.metadata.get('ARROW:FLIGHT:SQL:CATALOG_NAME'), 'quiver');
  assert.equal(id.metadata.get('ARROW:FLIGHT:SQL:DB_SCHEMA_NAME'), 'main');
  assert.equal(plan.schema.fields[1]!.metadata.get('ARROW:FLIGHT:SQL:TABLE_NAME'), undefined);
  assert.deepEqual(plan.parameterSchema.fields.map((f) => String(f.type)), ['Utf8', 'Int32']);
  const params = tableFromArrays({ a: ['x', 'y'], b: Int32Array.from([2, 0]) }).batches[0]!;
  const rows = await collect(plan.execute(params));
  assert.deepEqual(rows, [{ id: 3, next: 4, p: 'x' }, { id: 1, next: 2, p: 'y' }, { id: 2, next: 3, p: 'y' }, { id: 3, next: 4, p: 'y' }]);
  await plan.close();
});

test('CTAS and INSERT plan their inner query; DROP plans nothing', async () => {
  const ctas = await engine.plan('CREATE TABLE "x/y" AS SELECT id FROM "sales/eu" WHERE id < 3', tables);
  assert.deepEqual(ctas.statement, { kind: 'create-table-as', table: 'x/y', ifNotExists: false });
  assert.deepEqual(await collect(ctas.execute(null)), [{ id: 1 }, { id: 2 }]);
  await ctas.close();
  const insert = await engine.plan('INSERT INTO events (n) VALUES (1), (2)', tables);
  assert.deepEqual(insert.statement, { kind: 'insert', table: 'events', columns: ['n'] });
  assert.equal(insert.schema.fields.length, 1);
  assert.equal((await collect(insert.execute(null))).length, 2);
  await insert.close();
  const drop = await engine.plan('DROP TABLE events', tables);
  assert.deepEqual(drop.statement, { kind: 'drop-table', table: 'events', ifExists: false });
  assert.deepEqual(drop.tables, []);
  assert.deepEqual(await collect(drop.execute(null)), []);
  await drop.close();
});

test('non-ASCII names and quotes inside names are rewritten at the right offsets', async () => {
  const { rows } = await query(`SELECT 'ä€' AS x, "wért" FROM "ünï/cødé ""q""" AS t AT (VERSION => 1) WHERE t."wért" = 7`);
  assert.deepEqual(rows, [{ x: 'ä€', 'wért': 7 }]);
});
