// Flight SQL over real gRPC on a real server, as a client without a Flight SQL library sees it:
// Any-packed commands in CMD descriptors, the answers' exact shapes (one PutResult per SQL DoPut,
// tickets that are Any(TicketStatementQuery), unknown sizes as -1), and quiver's own descriptors
// and tickets untouched beside them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { Field, Int64, Message, Table as ArrowTable, Utf8, tableFromArrays, tableFromIPC, vectorFromArray } from 'apache-arrow';
import { encodeStream } from '../../src/arrow/ipc-framing.ts';
import type { FlightDataMessage } from '../../src/wire/flight-data.ts';
import { encodeMessage } from '../../src/wire/protocol.ts';
import { decodeSql, packSql, unpackSql } from '../../src/sql/sql-messages.ts';
import { framesOf, putMessages } from '../harness/arrow-frames.ts';
import { rawClient, rawPut, streamCall, unaryCall, type RawClient } from '../harness/raw-flight-client.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';

let server: QuiverProcess;
let client: RawClient;

before(async () => {
  server = await startQuiver();
  client = rawClient(server.address);
});
after(async () => {
  client.close();
  await server.stop();
});

const cmd = (bytes: Buffer) => ({ type: 'CMD' as const, cmd: bytes, path: [] });

async function read(ticket: Buffer) {
  const messages = await streamCall<FlightDataMessage>(client, 'DoGet', { ticket });
  return tableFromIPC(encodeStream(messages));
}

const sales = tableFromArrays({ id: new BigInt64Array([1n, 2n, 3n]), amount: new Float64Array([1.5, 2.5, 4]) });

test('CommandStatementIngest commits the stream and answers exactly one PutResult: DoPutUpdateResult', async () => {
  const ingest = packSql('CommandStatementIngest', {
    table: 'grpc/sales',
    table_definition_options: { if_not_exist: 'TABLE_NOT_EXIST_OPTION_CREATE', if_exists: 'TABLE_EXISTS_OPTION_FAIL' },
  });
  const put = await rawPut(client, putMessages(cmd(ingest), framesOf(sales)));
  assert.equal(put.error, null);
  assert.equal(put.results.length, 1);
  assert.equal(decodeSql<{ record_count: number }>('DoPutUpdateResult', put.results[0]!).record_count, 3);
  // The same table through quiver's own PATH descriptor.
  const info = await unaryCall<{ endpoint: { ticket: { ticket: Buffer } }[] }>(client, 'GetFlightInfo', { type: 'PATH', path: ['grpc', 'sales'] });
  assert.equal((await read(info.endpoint[0]!.ticket.ticket)).numRows, 3);
  const again = await rawPut(client, putMessages(cmd(ingest), framesOf(sales)));
  assert.match(again.error?.details ?? '', /already exists/);
});

test('CommandStatementIngest validates each batch as DoPut does: damaged offsets are INVALID_ARGUMENT and nothing is committed', async () => {
  const names = new ArrowTable({ name: vectorFromArray(['ann', 'bob', 'cy'], new Utf8()) });
  const frames = framesOf(names).map((f) => ({ header: new Uint8Array(f.header), body: new Uint8Array(f.body) }));
  const last = frames[frames.length - 1]!;
  // Buffers of the batch: name validity, name offsets, name data. Make the offsets decrease.
  const offsets = (Message.decode(last.header).header() as unknown as { buffers: { offset: bigint | number }[] }).buffers[1]!;
  new Int32Array(last.body.buffer, last.body.byteOffset + Number(offsets.offset), 4)[2] = 1;
  const ingest = packSql('CommandStatementIngest', { table: 'grpc/damaged', table_definition_options: { if_not_exist: 'TABLE_NOT_EXIST_OPTION_CREATE' } });
  const put = await rawPut(client, putMessages(cmd(ingest), frames));
  assert.equal(put.error?.code, grpc.status.INVALID_ARGUMENT);
  assert.match(put.error?.details ?? '', /column name: its offsets decrease/);
  await assert.rejects(unaryCall(client, 'GetFlightInfo', { type: 'PATH', path: ['grpc', 'damaged'] }), /does not exist/);
});

test('a query: FlightInfo with its schema, sizes unknown (-1), one endpoint whose ticket is Any(TicketStatementQuery)', async () => {
  const d = cmd(packSql('CommandStatementQuery', { query: 'SELECT id, amount * 2 AS twice FROM "grpc/sales" WHERE id > 1 ORDER BY id' }));
  const info = await unaryCall<{ schema: Buffer; total_records: number; total_bytes: number; endpoint: { ticket: { ticket: Buffer }; location: { uri: string }[] }[] }>(client, 'GetFlightInfo', d);
  assert.equal(info.total_records, -1);
  assert.equal(info.total_bytes, -1);
  assert.equal(info.endpoint.length, 1);
  assert.equal(unpackSql(info.endpoint[0]!.ticket.ticket)?.type, 'TicketStatementQuery');
  assert.ok(info.endpoint[0]!.location.length > 0, 'endpoints name a location (arrow-go fails without one)');
  const table = await read(info.endpoint[0]!.ticket.ticket);
  assert.deepEqual(table.toArray().map((r) => r.toJSON()), [{ id: 2n, twice: 5 }, { id: 3n, twice: 8 }]);
  const schema = await unaryCall<{ schema: Buffer }>(client, 'GetSchema', d);
  assert.deepEqual(schema.schema, info.schema);
  const poll = await unaryCall<{ info: unknown; progress: number }>(client, 'PollFlightInfo', d);
  assert.equal(poll.progress, 1);
});

test('a prepared statement: schemas before anything runs, parameters bound by DoPut into a new handle, then executed', async () => {
  const [created] = await streamCall<{ body: Buffer }>(client, 'DoAction', {
    type: 'CreatePreparedStatement',
    body: packSql('ActionCreatePreparedStatementRequest', { query: 'SELECT id FROM "grpc/sales" WHERE amount > ? ORDER BY id' }),
  });
  const result = decodeSql<{ prepared_statement_handle: Buffer; dataset_schema: Buffer; parameter_schema: Buffer; is_update: boolean }>(
    'ActionCreatePreparedStatementResult', unpackSql(created!.body)!.value);
  assert.equal(result.is_update, false);
  assert.ok(result.dataset_schema.length > 0 && result.parameter_schema.length > 0);
  const params = tableFromArrays({ p: new Float64Array([2]) });
  const bind = await rawPut(client, putMessages(cmd(packSql('CommandPreparedStatementQuery', { prepared_statement_handle: result.prepared_statement_handle })), framesOf(params)));
  assert.equal(bind.error, null);
  assert.equal(bind.results.length, 1);
  const bound = decodeSql<{ prepared_statement_handle: Buffer }>('DoPutPreparedStatementResult', bind.results[0]!).prepared_statement_handle;
  const info = await unaryCall<{ endpoint: { ticket: { ticket: Buffer } }[] }>(client, 'GetFlightInfo', cmd(packSql('CommandPreparedStatementQuery', { prepared_statement_handle: bound })));
  assert.deepEqual((await read(info.endpoint[0]!.ticket.ticket)).toArray().map((r) => r.toJSON()), [{ id: 2n }, { id: 3n }]);
  const closed = await streamCall(client, 'DoAction', { type: 'ClosePreparedStatement', body: packSql('ActionClosePreparedStatementRequest', { prepared_statement_handle: bound }) });
  assert.deepEqual(closed, []);
});

test('a prepared INSERT bound with several rows is one commit of all of them', async () => {
  const [created] = await streamCall<{ body: Buffer }>(client, 'DoAction', {
    type: 'CreatePreparedStatement',
    body: packSql('ActionCreatePreparedStatementRequest', { query: 'INSERT INTO "grpc/sales" VALUES (?::BIGINT, ?::DOUBLE)' }),
  });
  const result = decodeSql<{ prepared_statement_handle: Buffer; is_update: boolean }>('ActionCreatePreparedStatementResult', unpackSql(created!.body)!.value);
  assert.equal(result.is_update, true);
  const rows = tableFromArrays({ a: new BigInt64Array([10n, 11n]), b: new Float64Array([0.5, 0.25]) });
  const put = await rawPut(client, putMessages(cmd(packSql('CommandPreparedStatementUpdate', { prepared_statement_handle: result.prepared_statement_handle })), framesOf(rows)));
  assert.equal(put.error, null);
  assert.equal(decodeSql<{ record_count: number }>('DoPutUpdateResult', put.results[0]!).record_count, 2);
  const history = await streamCall<{ body: Buffer }>(client, 'DoAction', { type: 'history', body: Buffer.from(JSON.stringify({ table: 'grpc/sales' })) });
  assert.deepEqual(history.map((h) => JSON.parse(h.body.toString()).operation), ['create', 'append']);
});

test('a descriptor-only CommandStatementUpdate runs DDL once; ListActions lists the Flight SQL actions', async () => {
  const update = packSql('CommandStatementUpdate', { query: 'CREATE TABLE "grpc/copy" AS SELECT * FROM "grpc/sales"' });
  const put = await rawPut(client, [{ descriptor: cmd(update), header: new Uint8Array(0), body: new Uint8Array(0) }]);
  assert.equal(put.error, null);
  assert.equal(decodeSql<{ record_count: number }>('DoPutUpdateResult', put.results[0]!).record_count, 5);
  const actions = await streamCall<{ type: string }>(client, 'ListActions', {});
  for (const a of ['CreatePreparedStatement', 'ClosePreparedStatement', 'CancelQuery', 'drop']) assert.ok(actions.some((x) => x.type === a), a);
});

test('a CommandStatementUpdate is answered before the client half-closes, as Arrow Java\'s executeUpdate waits', async () => {
  const update = packSql('CommandStatementUpdate', { query: 'CREATE TABLE "grpc/early" AS SELECT * FROM "grpc/sales"' });
  const call = client.DoPut();
  const answered = new Promise<Buffer>((resolve, reject) => {
    call.on('data', (r: { app_metadata: Buffer }) => resolve(r.app_metadata));
    call.on('error', reject);
  });
  // The stream stays open (no end()) until the answer arrives.
  call.write({ descriptor: cmd(update), header: new Uint8Array(0), body: new Uint8Array(0) });
  const result = await Promise.race([answered, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no PutResult before half-close')), 15_000))]);
  call.end();
  assert.equal(decodeSql<{ record_count: number }>('DoPutUpdateResult', result).record_count, 5);
  await streamCall(client, 'DoAction', { type: 'drop', body: Buffer.from(JSON.stringify({ table: 'grpc/early' })) });
});

test('a write that arrives as a query runs when planned; its ticket answers the count', async () => {
  const d = cmd(packSql('CommandStatementQuery', { query: 'DROP TABLE "grpc/copy"' }));
  const info = await unaryCall<{ schema: Buffer; endpoint: { ticket: { ticket: Buffer } }[] }>(client, 'GetFlightInfo', d);
  await assert.rejects(unaryCall(client, 'GetFlightInfo', { type: 'PATH', path: ['grpc', 'copy'] }), /does not exist/);
  const count = await read(info.endpoint[0]!.ticket.ticket);
  assert.deepEqual(count.toArray().map((r) => r.toJSON()), [{ count: 0n }]);
  assert.deepEqual(count.schema.fields.map(String), [String(new Field('count', new Int64(), false))]);
});

test('the deprecated CancelQuery action takes an Any-packed serialized FlightInfo and answers Any(ActionCancelQueryResult)', async () => {
  const d = cmd(packSql('CommandStatementQuery', { query: 'SELECT 1 AS one' }));
  const info = await unaryCall<object>(client, 'GetFlightInfo', d);
  const [answer] = await streamCall<{ body: Buffer }>(client, 'DoAction', {
    type: 'CancelQuery',
    body: packSql('ActionCancelQueryRequest', { info: encodeMessage('FlightInfo', info) }),
  });
  const result = unpackSql(answer!.body)!;
  assert.equal(result.type, 'ActionCancelQueryResult');
  assert.equal(decodeSql<{ result: string }>('ActionCancelQueryResult', result.value).result, 'CANCEL_RESULT_CANCELLED');
  // Its ticket is refused from now on.
  const ticket = (info as { endpoint: { ticket: { ticket: Buffer } }[] }).endpoint[0]!.ticket.ticket;
  await assert.rejects(read(ticket), /cancelled/);
});
