// Nested columns (lists, fixed-size and large lists, structs, maps, and lists of those) of tables
// stored as Arrow IPC files are DuckDB LIST / STRUCT / MAP in SQL, as GetTables reports them:
// SELECT * over the Arrow integration corpus files gives what Python duckdb gives over the same
// files read by pyarrow, and nested functions work on them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Int32, Message, MessageHeader, RecordBatchStreamWriter, Table, Utf8, vectorFromArray, type RecordBatch, type Schema } from 'apache-arrow';
import { readArrowStreamFile } from '../../../src/storage/arrow-stream-files.ts';
import { openDuckDbEngine } from '../../../src/sql/engine/duckdb-engine.ts';
import type { SqlEngine } from '../../../src/sql/engine/sql-engine.ts';
import { sqlTypeName } from '../../../src/sql/sql-types.ts';
import { TestTables, collect } from './fixtures.ts';

const CORPUS = path.resolve(import.meta.dirname, '../../../../shared/corpus/arrow-ipc');
const NESTED = ['1.0.0-littleendian/generated_nested', '1.0.0-littleendian/generated_recursive_nested', '1.0.0-littleendian/generated_map',
  '1.0.0-littleendian/generated_map_non_canonical', '1.0.0-littleendian/generated_nested_large_offsets', '1.0.0-littleendian/generated_custom_metadata'];

const tables = new TestTables();
let engine: SqlEngine;

async function storedSchema(file: string): Promise<{ schema: Schema; rows: number }> {
  let schema: Schema | null = null;
  let rows = 0;
  for await (const frame of readArrowStreamFile(file, { skipSchema: false })) {
    const message = Message.decode(frame.header);
    if (message.headerType === MessageHeader.Schema) schema ??= message.header() as unknown as Schema;
    if (message.headerType === MessageHeader.RecordBatch) rows += Number((message.header() as unknown as { length: number | bigint }).length);
  }
  return { schema: schema!, rows };
}

before(async () => {
  for (const name of NESTED) {
    const file = path.join(CORPUS, `${name}.stream`);
    const { schema, rows } = await storedSchema(file);
    tables.addIpcFile(name, file, schema, rows);
  }
  // More rows than one DuckDB chunk (2048), so later chunks are read from the right offsets.
  const n = 5000;
  tables.add('ipc/long', [{ format: 'arrow-stream', table: new Table({
    i: vectorFromArray(Array.from({ length: n }, (_, k) => k), new Int32()),
    s: vectorFromArray(Array.from({ length: n }, (_, k) => `s${k}`), new Utf8()),
  }) }]);
  engine = await openDuckDbEngine({ dataRoot: tables.root });
});
after(async () => {
  await engine.close();
  tables.cleanup();
});

async function run(sql: string) {
  const plan = await engine.plan(sql, tables);
  const batches: RecordBatch[] = [];
  for await (const b of plan.execute(null)) batches.push(b);
  await plan.close();
  return { plan, batches };
}

for (const name of NESTED) {
  test(`SELECT * of ${name} (Arrow IPC) matches Python duckdb over the same file`, { timeout: 60_000 }, async () => {
    const { plan, batches } = await run(`SELECT * FROM "${name}"`);
    const stored = (await tables.resolve(name)).schema;
    // Types as GetTables reports them (its TYPE_NAME is sqlTypeName of the stored type).
    assert.deepEqual(plan.schema.fields.map((f) => sqlTypeName(f.type)), stored.fields.map((f) => sqlTypeName(f.type)));
    const file = path.join(tables.root, `result-${path.basename(name)}.arrows`);
    const writer = new RecordBatchStreamWriter();
    writer.reset(undefined, plan.schema);
    for (const b of batches) writer.write(b);
    writer.finish();
    fs.writeFileSync(file, writer.toUint8Array(true));
    const req = { sql: 'SELECT * FROM t', ipc: file, arrow: { t: path.join(CORPUS, `${name}.stream`) } };
    const out = JSON.parse(execFileSync('python3', [path.join(import.meta.dirname, 'duckdb_oracle.py'), JSON.stringify(req)], { encoding: 'utf8' }));
    assert.equal(out.rows[0], out.rows[1]);
    assert.deepEqual(out.mismatches, []);
    // Same types; list child field names are not kept (DuckDB names them `item` on its way out).
    const unnamed = (types: string[]) => types.map((t) => t.replace(/list<[^:<>]*:/g, 'list<:'));
    assert.deepEqual(unnamed(out.ours), unnamed(out.theirs));
  });
}

test('nested functions work on IPC-stored nested columns', async () => {
  const { batches } = await run(`SELECT any_value(typeof(list_nullable)) AS lt, sum(len(list_nullable)) AS n, any_value(typeof(struct_nullable)) AS st,
    count(struct_nullable.f1) AS f1s, count(struct_nullable['f2']) AS f2s FROM "1.0.0-littleendian/generated_nested"`);
  const row = batches[0]!.toArray()[0]!.toJSON();
  assert.equal(row.lt, 'INTEGER[]');
  assert.equal(row.st, 'STRUCT(f1 INTEGER, f2 VARCHAR)');
  const py = JSON.parse(execFileSync('python3', ['-c', `
import duckdb, pyarrow as pa, json, sys
t = pa.ipc.open_stream(sys.argv[1]).read_all()
r = duckdb.sql("SELECT sum(len(list_nullable))::BIGINT, count(struct_nullable.f1), count(struct_nullable['f2']) FROM t").fetchall()[0]
print(json.dumps([int(x) for x in r]))`, path.join(CORPUS, '1.0.0-littleendian/generated_nested.stream')], { encoding: 'utf8' }));
  assert.deepEqual([Number(row.n), Number(row.f1s), Number(row.f2s)], py);
  const maps = (await run(`SELECT map_keys(map_nullable) AS k, cardinality(map_nullable) AS c FROM "1.0.0-littleendian/generated_map" WHERE map_nullable IS NOT NULL LIMIT 1`)).batches;
  assert.equal(maps[0]!.numRows, 1);
});

test('an IPC table of more rows than one DuckDB chunk reads every row', async () => {
  const rows = await collect((await engine.plan(`SELECT count(*) FILTER (WHERE s = 's' || i) AS ok, sum(i)::BIGINT AS total FROM "ipc/long"`, tables)).execute(null));
  assert.deepEqual(rows, [{ ok: 5000n, total: 12_497_500n }]);
});
