// Statement classification: what runs as a query, what becomes a quiver commit, what is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyStatement } from '../../../src/sql/engine/statement-kind.ts';
import { QuiverError } from '../../../src/errors.ts';

const refused = (sql: string, pattern: RegExp) =>
  assert.throws(() => classifyStatement(sql), (e: unknown) => e instanceof QuiverError && e.code === 'INVALID_ARGUMENT' && pattern.test(e.message), sql);

test('queries in every form DuckDB starts them with are queries, whole', () => {
  for (const sql of ['SELECT 1', 'with x as (select 1) select * from x', 'VALUES (1), (2)', 'FROM t', '(SELECT 1) UNION (SELECT 2)', 'TABLE t']) {
    assert.deepEqual(classifyStatement(sql), { statement: { kind: 'query' }, query: sql });
  }
  assert.deepEqual(classifyStatement('  -- hi\n/* a /* nested */ b */ select 1 ;  '), { statement: { kind: 'query' }, query: '  -- hi\n/* a /* nested */ b */ select 1' });
});

test('CREATE TABLE AS, INSERT and DROP TABLE name their target and inner query', () => {
  assert.deepEqual(classifyStatement('create table "sales/eu" as select * from t'), {
    statement: { kind: 'create-table-as', table: 'sales/eu', ifNotExists: false }, query: 'select * from t',
  });
  assert.deepEqual(classifyStatement('CREATE TABLE IF NOT EXISTS quiver.main.Abc AS (SELECT 1)').statement,
    { kind: 'create-table-as', table: 'Abc', ifNotExists: true });
  assert.deepEqual(classifyStatement('INSERT INTO main."a""b" ("x", y) VALUES (1, 2)'), {
    statement: { kind: 'insert', table: 'a"b', columns: ['x', 'y'] }, query: 'VALUES (1, 2)',
  });
  assert.deepEqual(classifyStatement('insert into t (select 1)'), { statement: { kind: 'insert', table: 't', columns: null }, query: '(select 1)' });
  assert.deepEqual(classifyStatement('DROP TABLE IF EXISTS "x/y";'), { statement: { kind: 'drop-table', table: 'x/y', ifExists: true }, query: null });
});

test('everything else is refused with what is supported', () => {
  for (const sql of ['ATTACH \'x.db\'', "COPY t TO '/tmp/x.csv'", "EXPORT DATABASE '/tmp/x'", 'INSTALL httpfs', 'LOAD httpfs',
    'SET enable_external_access=true', 'RESET memory_limit', 'PRAGMA version', 'CALL pragma_version()', 'UPDATE t SET a=1', 'DELETE FROM t',
    'CREATE VIEW v AS SELECT 1', 'CREATE MACRO m() AS 1', 'CREATE OR REPLACE TABLE t AS SELECT 1', 'CREATE TEMP TABLE t AS SELECT 1',
    'INSERT OR REPLACE INTO t VALUES (1)', 'DESCRIBE t', 'EXPLAIN SELECT 1', 'DETACH x', 'USE x', 'CHECKPOINT', 'VACUUM', 'BEGIN']) {
    refused(sql, /supported/);
  }
});

test('more than one statement is refused, but semicolons inside literals, identifiers and comments are not statements', () => {
  refused('SELECT 1; SELECT 2', /more than one statement/);
  refused("SELECT 1; COPY t TO '/tmp/x'", /more than one statement/);
  for (const sql of ["SELECT ';'", 'SELECT 1 AS ";"', 'SELECT 1 -- ;\n', 'SELECT /* ; */ 1', 'SELECT $$;$$', "SELECT E'\\';'"]) {
    assert.equal(classifyStatement(sql).statement.kind, 'query', sql);
  }
});

test('CREATE TABLE without AS, other catalogs and schemas, and bad DROPs are refused', () => {
  refused('CREATE TABLE t (a INT)', /CREATE TABLE t AS/);
  refused('CREATE TABLE other.main.t AS SELECT 1', /catalog other/);
  refused('INSERT INTO s.t VALUES (1)', /schema s/);
  refused('DROP TABLE t CASCADE', /CASCADE/);
  refused('DROP VIEW t', /supported/);
  refused('INSERT INTO t DEFAULT VALUES', /followed by a query/);
  refused('   ', /empty/);
});
