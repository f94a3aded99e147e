// The protocol layer's own rules, without a server: Any packing and what is not Flight SQL, the
// stateless handles, LIKE filter patterns, GetTables with include_schema, session options.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Field, Int64, Schema, Table, TimeUnit, Timestamp, Utf8, makeData, makeVector, tableFromIPC, tableToIPC } from 'apache-arrow';
import { decodeSchema } from '../../src/arrow/ipc-message.ts';
import { QuiverError } from '../../src/errors.ts';
import { encodeTicket } from '../../src/flight/tickets.ts';
import { readSessionPolicy } from '../../src/flight/read-session.ts';
import { likePattern, tablesBatch } from '../../src/sql/catalog-metadata.ts';
import { decodeSql, packSql, unpackSql } from '../../src/sql/sql-messages.ts';
import { withSqlSessionOptions } from '../../src/sql/sql-session-options.ts';
import { MAX_PARAMETER_BYTES, decodeHandle, encodeHandle } from '../../src/sql/statement-handles.ts';
import { sqlInfoBatch } from '../../src/sql/sql-info.ts';
import { insertShaper } from '../../src/sql/insert-rows.ts';

test('commands travel as Any with the Flight SQL type URL; quiver JSON commands and tickets are not Flight SQL', () => {
  const packed = packSql('CommandStatementQuery', { query: 'SELECT 1' });
  assert.ok(packed.includes(Buffer.from('type.googleapis.com/arrow.flight.protocol.sql.CommandStatementQuery')));
  const cmd = unpackSql(packed)!;
  assert.equal(cmd.type, 'CommandStatementQuery');
  assert.equal(decodeSql<{ query: string }>('CommandStatementQuery', cmd.value).query, 'SELECT 1');
  assert.equal(unpackSql(Buffer.from('{"table": "t"}')), null);
  assert.equal(unpackSql(encodeTicket({ table: 't', tableId: 'x', version: 1, files: [0, 1] })), null);
  assert.equal(unpackSql(Buffer.alloc(0)), null);
  // An Any of another package is not ours either.
  const other = Buffer.concat([Buffer.from([0x0a, 25]), Buffer.from('type.googleapis.com/x.Y12')]);
  assert.equal(unpackSql(other), null);
});

test('optional proto3 fields stay absent when unset, so "no catalog filter" differs from ""', () => {
  const none = decodeSql<{ catalog?: string }>('CommandGetTables', unpackSql(packSql('CommandGetTables', {}))!.value);
  assert.equal('catalog' in none, false);
  const empty = decodeSql<{ catalog?: string }>('CommandGetTables', unpackSql(packSql('CommandGetTables', { catalog: '' }))!.value);
  assert.equal(empty.catalog, '');
});

test('handles carry SQL, pins and parameters; corrupt ones and oversized parameters are refused', () => {
  const h = decodeHandle(encodeHandle({ sql: 'SELECT * FROM "a/b"', pins: { 'a/b': { version: 3, tableId: 'id' } }, params: 'AAAA' }));
  assert.deepEqual(h, { sql: 'SELECT * FROM "a/b"', pins: { 'a/b': { version: 3, tableId: 'id' } }, params: 'AAAA' });
  assert.deepEqual(decodeHandle(encodeHandle({ count: 7 })), { count: 7 });
  assert.throws(() => decodeHandle(Buffer.from('garbage')), (e: QuiverError) => e.code === 'INVALID_ARGUMENT');
  assert.throws(() => decodeHandle(Buffer.from('quiver-sql1:{"sql": 5}')), (e: QuiverError) => e.code === 'INVALID_ARGUMENT');
  assert.throws(() => encodeHandle({ sql: 'x', params: 'A'.repeat(MAX_PARAMETER_BYTES * 2) }), (e: QuiverError) => e.code === 'RESOURCE_EXHAUSTED');
});

test('filter patterns are SQL LIKE: % and _ wildcards, backslash escapes, everything else literal', () => {
  assert.equal(likePattern(undefined)('anything'), true);
  assert.equal(likePattern('sales/%')('sales/eu'), true);
  assert.equal(likePattern('sales/%')('sales'), false);
  assert.equal(likePattern('t_')('t1'), true);
  assert.equal(likePattern('t_')('t12'), false);
  assert.equal(likePattern('a\\_b')('a_b'), true);
  assert.equal(likePattern('a\\_b')('axb'), false);
  assert.equal(likePattern('x.y(z)+')('x.y(z)+'), true);
  assert.equal(likePattern('x.y')('xzy'), false);
  assert.equal(likePattern('%')(''), true);
});

test('GetTables lists every table in quiver.main, filters, and serializes schemas with nullability and column metadata', () => {
  const schema = new Schema([new Field('k', new Int64(), false), new Field('s', new Utf8(), true)]);
  const tables = [{ name: 'sales/eu', schema }, { name: 'sales/us', schema }, { name: 'other', schema }];
  const rows = (req: object) => tablesBatch(req, tables).toArray().map((r) => r.toJSON());
  assert.deepEqual(rows({}).map((r) => r.table_name), ['other', 'sales/eu', 'sales/us']);
  assert.deepEqual(rows({ table_name_filter_pattern: 'sales/%' }).map((r) => r.table_name), ['sales/eu', 'sales/us']);
  assert.deepEqual(rows({ catalog: 'elsewhere' }), []);
  assert.deepEqual(rows({ catalog: '' }), [], 'tables without a catalog: none');
  assert.deepEqual(rows({ db_schema_filter_pattern: 'ma%' }).length, 3);
  assert.deepEqual(rows({ table_types: ['VIEW'] }), []);
  const first = tablesBatch({ include_schema: true, table_name_filter_pattern: 'sales/eu' }, tables).toArray().map((r) => r.toJSON())[0]!;
  assert.equal(first.catalog_name, 'quiver');
  assert.equal(first.db_schema_name, 'main');
  assert.equal(first.table_type, 'TABLE');
  const bytes = first.table_schema as Uint8Array;
  const decoded = decodeSchema(bytes.subarray(8, 8 + new DataView(bytes.buffer, bytes.byteOffset).getInt32(4, true)));
  assert.deepEqual(decoded.fields.map((f) => f.nullable), [false, true]);
  assert.equal(decoded.fields[0]!.metadata.get('ARROW:FLIGHT:SQL:TABLE_NAME'), 'sales/eu');
  assert.equal(decoded.fields[1]!.metadata.get('ARROW:FLIGHT:SQL:TYPE_NAME'), 'VARCHAR');
});

test('SqlInfo answers the codes it knows, in the order asked, and skips unknown ones', () => {
  const batch = sqlInfoBatch([1, 99999, 0, 8], { readOnly: true });
  assert.deepEqual(batch.toArray().map((r) => r.toJSON().info_name), [1, 0, 8]);
  assert.ok(sqlInfoBatch([], { readOnly: false }).numRows >= 80);
  // It survives an IPC round trip (the union, its offsets and the map).
  const back = tableFromIPC(tableToIPC(new Table([sqlInfoBatch([508, 517, 3], { readOnly: true })])));
  assert.equal(back.numRows, 3);
  assert.equal(back.getChildAt(1)!.get(2), true);
});

test('catalog and schema session options take quiver and main; other names keep quiver\'s own rules', () => {
  const policy = withSqlSessionOptions(readSessionPolicy);
  assert.equal(policy('catalog', { string_value: 'quiver' }), null);
  assert.equal(policy('schema', { string_value: 'main' }), null);
  assert.equal(policy('catalog', { string_value: 'main' }), 'INVALID_VALUE');
  assert.equal(policy('schema', { int64_value: 1 }), 'INVALID_VALUE');
  assert.equal(policy('quiver.endpoint_bytes', { int64_value: 5 }), null);
  assert.equal(policy('unknown', { string_value: 'x' }), 'INVALID_NAME');
});

test('INSERT rows: a coarser timestamp (JDBC binds milliseconds) goes into a finer column exactly; a finer one into a coarser is refused', () => {
  const target = new Schema([new Field('at', new Timestamp(TimeUnit.MICROSECOND), true)]);
  const ms = new Table({ at: makeVector(makeData({ type: new Timestamp(TimeUnit.MILLISECOND), length: 2, nullCount: 1, nullBitmap: Uint8Array.of(1), data: BigInt64Array.of(1_714_979_289_500n, 0n) })) });
  const shaped = insertShaper('t', target, ms.schema, null)(ms.batches[0]!);
  assert.deepEqual([...(shaped.getChildAt(0)!.data[0]!.values as BigInt64Array)].slice(0, 1), [1_714_979_289_500_000n]);
  assert.equal(shaped.getChildAt(0)!.get(1), null);
  const ns = new Schema([new Field('at', new Timestamp(TimeUnit.NANOSECOND), true)]);
  assert.throws(() => insertShaper('t', target, ns, null), /CAST it/);
});
