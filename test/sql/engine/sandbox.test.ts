// Every way out of the snapshot we could think of, each refused at plan time (or, for what slips
// past the parse-tree check, by DuckDB's allowed_directories / enable_external_access, set and
// locked at boot). Each case names the escape it tries.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { tableFromArrays } from 'apache-arrow';
import { openDuckDbEngine } from '../../../src/sql/engine/duckdb-engine.ts';
import type { PinnedTable, SqlEngine } from '../../../src/sql/engine/sql-engine.ts';
import { QuiverError } from '../../../src/errors.ts';
import { TestTables, collect } from './fixtures.ts';

const tables = new TestTables();
let engine: SqlEngine;
let secret: PinnedTable;
let outside: string;

before(async () => {
  tables.add('t', [{ table: tableFromArrays({ a: Int32Array.from([1]) }), format: 'parquet' }]);
  secret = tables.add('secret', [{ table: tableFromArrays({ s: Int32Array.from([42]) }), format: 'parquet' }]);
  outside = path.join(tables.root, 'outside.parquet');
  fs.copyFileSync(secret.files[0]!.path, outside);
  engine = await openDuckDbEngine({ dataRoot: tables.root });
});
after(async () => {
  await engine.close();
  tables.cleanup();
});

async function refused(sql: string, code: string, pattern: RegExp) {
  await assert.rejects(async () => {
    const plan = await engine.plan(sql, tables);
    try {
      await collect(plan.execute(null));
    } finally {
      await plan.close();
    }
  }, (e: unknown) => {
    assert.ok(e instanceof QuiverError, `${sql}: ${e}`);
    assert.equal(e.code, code, `${sql}: ${e.message}`);
    assert.match(e.message, pattern, sql);
    return true;
  }, sql);
}

const secretFile = () => secret.files[0]!.path;

test('file-reading table functions are refused by name, whatever the path', async () => {
  await refused("SELECT * FROM read_csv('/etc/passwd')", 'INVALID_ARGUMENT', /read_csv is not allowed/);
  await refused("SELECT * FROM read_csv_auto('/etc/passwd')", 'INVALID_ARGUMENT', /read_csv_auto is not allowed/);
  await refused("SELECT * FROM read_text('/etc/hostname')", 'INVALID_ARGUMENT', /read_text/);
  await refused("SELECT * FROM read_blob('/etc/hostname')", 'INVALID_ARGUMENT', /read_blob/);
  await refused("SELECT * FROM read_json('/etc/x.json')", 'INVALID_ARGUMENT', /read_json/);
  await refused(`SELECT * FROM read_parquet('${secretFile()}')`, 'INVALID_ARGUMENT', /read_parquet/);
  await refused(`SELECT * FROM parquet_metadata('${secretFile()}')`, 'INVALID_ARGUMENT', /parquet_metadata/);
  await refused(`SELECT * FROM parquet_schema('${secretFile()}')`, 'INVALID_ARGUMENT', /parquet_schema/);
  await refused("SELECT * FROM glob('/etc/*')", 'INVALID_ARGUMENT', /glob/);
  await refused(`SELECT * FROM t WHERE a IN (SELECT s FROM read_parquet('${secretFile()}'))`, 'INVALID_ARGUMENT', /read_parquet/);
  await refused(`WITH x AS (SELECT * FROM READ_PARQUET('${secretFile()}')) SELECT * FROM x`, 'INVALID_ARGUMENT', /read_parquet/i);
});

test('files named as tables (replacement scans), URLs and another table\'s file are not tables', async () => {
  await refused(`SELECT * FROM '${secretFile()}'`, 'NOT_FOUND', /does not exist/);
  await refused("SELECT * FROM '/etc/passwd'", 'NOT_FOUND', /does not exist/);
  await refused("SELECT * FROM 'https://example.com/x.parquet'", 'NOT_FOUND', /does not exist/);
  await refused(`SELECT * FROM "${outside}"`, 'NOT_FOUND', /does not exist/);
});

test('the tables that hold loaded Arrow IPC files cannot be named, even by a user who lists them', async () => {
  tables.add('fresh', [{ table: tableFromArrays({ v: Int32Array.from([99]) }), format: 'arrow-stream' }]);
  const plan = await engine.plan('SELECT v FROM fresh', tables);
  try {
    assert.deepEqual(await collect(plan.execute(null)), [{ v: 99 }]); // loaded, and held while this plan lives
    const listed = await engine.plan("SELECT database_name AS d, table_name AS n FROM duckdb_tables() WHERE database_name = '__quiver_ipc'", tables);
    const { d, n } = ((await collect(listed.execute(null))) as { d: string; n: string }[])[0]!;
    await listed.close();
    assert.equal(d, '__quiver_ipc');
    await refused(`SELECT * FROM __quiver_ipc.main.${n}`, 'INVALID_ARGUMENT', /catalog __quiver_ipc does not exist/);
    await refused(`SELECT * FROM "${d}"."main"."${n}"`, 'INVALID_ARGUMENT', /does not exist/);
    await refused(`SELECT * FROM ${n}`, 'NOT_FOUND', /does not exist/);
    await refused(`SELECT * FROM main.${n}`, 'NOT_FOUND', /does not exist/);
    await refused(`SELECT * FROM query_table('__quiver_ipc.main.${n}')`, 'INVALID_ARGUMENT', /query_table/);
  } finally {
    await plan.close();
  }
});

test('SQL that runs other SQL, reads the environment or the configuration is refused', async () => {
  await refused("SELECT * FROM query('SELECT * FROM read_csv(''/etc/passwd'')')", 'INVALID_ARGUMENT', /query is not allowed/);
  await refused("SELECT * FROM query_table('t')", 'INVALID_ARGUMENT', /query_table/);
  await refused("SELECT getenv('HOME')", 'INVALID_ARGUMENT', /getenv/);
  await refused("SELECT current_setting('allowed_directories')", 'INVALID_ARGUMENT', /current_setting/);
  await refused('SELECT * FROM duckdb_settings()', 'INVALID_ARGUMENT', /duckdb_settings/);
  await refused("SELECT * FROM json_execute_serialized_sql('{}')", 'INVALID_ARGUMENT', /json_execute_serialized_sql/);
});

test('statements that write, attach, install, load or configure are refused', async () => {
  for (const [sql, word] of [
    ["COPY t TO '/tmp/quiver-escape.csv'", 'COPY'], ["COPY (SELECT 1) TO '/tmp/quiver-escape.csv'", 'COPY'],
    ["EXPORT DATABASE '/tmp/quiver-escape'", 'EXPORT'], ["ATTACH '/tmp/quiver-escape.db' AS x", 'ATTACH'],
    ['INSTALL httpfs', 'INSTALL'], ['LOAD httpfs', 'LOAD'], ["SET allowed_directories=['/']", 'SET'],
    ['SET enable_external_access=true', 'SET'], ['RESET lock_configuration', 'RESET'], ['PRAGMA enable_profiling', 'PRAGMA'],
    ["CALL load_extension('x')", 'CALL'], ['CREATE SECRET s (TYPE s3)', 'CREATE'], ['SELECT 1; SET memory_limit=\'1TB\'', 'more than one'],
  ]) {
    await refused(sql!, 'INVALID_ARGUMENT', new RegExp(word!, 'i'));
  }
  assert.equal(fs.existsSync('/tmp/quiver-escape.csv'), false);
});

test('the second wall: a pinned file outside the tables folder is not read even through our own view', async () => {
  const rogue: PinnedTable = { name: 'rogue', version: 1, files: [{ path: outside, format: 'parquet', rows: 1 }], schema: secret.schema };
  const resolver = { resolve: async () => rogue };
  await assert.rejects(async () => {
    const plan = await engine.plan('SELECT * FROM rogue', resolver);
    await collect(plan.execute(null));
  }, (e: unknown) => e instanceof QuiverError && e.code === 'PERMISSION_DENIED' && /outside|Permission/i.test(e.message));
});

test('inside the snapshot, ordinary SQL still works after every refusal', async () => {
  const plan = await engine.plan('SELECT a, (SELECT s FROM secret) AS s, x FROM t, range(2) r(x) ORDER BY x', tables);
  assert.deepEqual(await collect(plan.execute(null)), [{ a: 1, s: 42, x: 0n }, { a: 1, s: 42, x: 1n }]);
  await plan.close();
});
