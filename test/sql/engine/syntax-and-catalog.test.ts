// Text that does not parse is refused as a syntax error with DuckDB's parser message (not as an
// unsupported statement), and statements run in the catalog and schema the name mapping and
// GetCatalogs / GetDbSchemas name: `quiver`.`main`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Int32, Table, vectorFromArray } from 'apache-arrow';
import { QuiverError } from '../../../src/errors.ts';
import { openDuckDbEngine } from '../../../src/sql/engine/duckdb-engine.ts';
import type { SqlEngine } from '../../../src/sql/engine/sql-engine.ts';
import { TestTables, collect } from './fixtures.ts';

const tables = new TestTables();
let engine: SqlEngine;
before(async () => {
  tables.add('t', [{ format: 'parquet', table: new Table({ a: vectorFromArray([1, 2], new Int32()) }) }]);
  engine = await openDuckDbEngine({ dataRoot: tables.root });
});
after(async () => {
  await engine.close();
  tables.cleanup();
});

const refusal = async (sql: string): Promise<QuiverError> => {
  try {
    await (await engine.plan(sql, tables)).close();
  } catch (err) {
    assert.ok(err instanceof QuiverError, String(err));
    return err;
  }
  assert.fail(`${sql} was accepted`);
};

test('text that does not parse is a syntax error with DuckDB\'s parser message', async () => {
  for (const [sql, near] of [['SELEC 1', 'SELEC'], ['INSERT INTO t VALUE (1)', 'VALUE'], ['SELECT 1 FROM', 'end of input'], ['CREAT TABLE x AS SELECT 1', 'CREAT']] as const) {
    const err = await refusal(sql);
    assert.equal(err.code, 'INVALID_ARGUMENT', sql);
    assert.match(err.message, /^syntax error \(the SQL does not parse\): (Parser Error: )?syntax error at /, sql);
    assert.ok(err.message.includes(near), `${sql}: ${err.message}`);
  }
});

test('statements that parse but are not supported still say what is supported', async () => {
  for (const sql of ["ATTACH 'x.db' AS x", 'PRAGMA version', 'UPDATE t SET a = 1']) {
    const err = await refusal(sql);
    assert.equal(err.code, 'INVALID_ARGUMENT');
    assert.doesNotMatch(err.message, /syntax error/);
    assert.match(err.message, /supported/);
  }
});

test('current_catalog() and current_schema() are quiver and main, and quiver.main names the tables', async () => {
  const plan = await engine.plan('SELECT current_catalog() AS c, current_schema() AS s, current_database() AS d, (SELECT sum(a) FROM quiver.main.t)::INTEGER AS n', tables);
  assert.deepEqual(await collect(plan.execute(null)), [{ c: 'quiver', s: 'main', d: 'quiver', n: 3 }]);
  await plan.close();
});
