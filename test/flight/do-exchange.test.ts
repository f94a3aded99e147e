// DoExchange lookups over real gRPC against a real server process: the answer schema comes
// first (before any input), every input batch gets exactly one answer batch carrying its
// app_metadata, refusals have the right status and say what to send, and neither refusals,
// malformed input nor a cancelled call stop the server from serving the next lookup.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { CompressionType, Message, tableFromArrays, tableFromIPC, type Table } from 'apache-arrow';
import { BufferRegion, RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import { compressFrame } from '../../src/arrow/body-compression.ts';
import { MESSAGE_RECORD_BATCH, encodeStream, messageHeaderType, type IpcFrame } from '../../src/arrow/ipc-framing.ts';
import { decodeSchema } from '../../src/arrow/ipc-message.ts';
import type { FlightDataMessage } from '../../src/wire/flight-data.ts';
import { cmdDescriptor, framesOf, pathDescriptor, putMessages } from '../harness/arrow-frames.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';
import { rawClient, rawPut, type RawClient } from '../harness/raw-flight-client.ts';

let server: QuiverProcess;
let client: RawClient;

type ExchangeCall = grpc.ClientDuplexStream<FlightDataMessage, FlightDataMessage>;

before(async () => {
  server = await startQuiver();
  client = rawClient(server.address);
  const people = tableFromArrays({ id: Int32Array.from([1, 2, 3, 2]), name: ['ann', 'bob', 'cy', 'bea'] });
  const put = await rawPut(client, putMessages(pathDescriptor('people'), framesOf(people)));
  assert.equal(put.error, null);
});
after(async () => {
  client?.close();
  await server?.stop();
});

/** Key batches as DoExchange input: the first message carries descriptor and schema. */
function input(ids: (number | null)[][], descriptor: FlightDataMessage['descriptor'] = cmdDescriptor({ table: 'people', key: 'id' })): FlightDataMessage[] {
  const frames: IpcFrame[] = [];
  ids.forEach((batch, i) => {
    const f = framesOf(tableFromArrays({ id: Int32Array.from(batch.map((v) => v ?? 0)) }));
    if (i === 0) frames.push(f[0]!);
    frames.push(...f.slice(1));
  });
  if (ids.length === 0) frames.push(framesOf(tableFromArrays({ id: new Int32Array(0) }))[0]!);
  return frames.map((f, i) => ({ ...(i === 0 ? { descriptor } : {}), header: f.header, body: f.body, ...(i > 0 ? { appMetadata: Buffer.from(`batch-${i}`) } : {}) }));
}

function exchange(messages: FlightDataMessage[]): Promise<{ replies: FlightDataMessage[]; error: grpc.ServiceError | null }> {
  return new Promise((resolve) => {
    const call = client.DoExchange() as ExchangeCall;
    const replies: FlightDataMessage[] = [];
    call.on('data', (m: FlightDataMessage) => replies.push(m));
    call.on('error', (error: grpc.ServiceError) => resolve({ replies, error }));
    call.on('end', () => resolve({ replies, error: null }));
    for (const m of messages) call.write(m);
    call.end();
  });
}

/** The replies as arrow-js reads them: one table per answer batch (with its dictionaries). */
function answers(replies: FlightDataMessage[]): { table: Table; appMetadata: string | null }[] {
  const [schema, ...rest] = replies;
  const out: { table: Table; appMetadata: string | null }[] = [];
  let pending: IpcFrame[] = [];
  for (const m of rest) {
    if (m.header.byteLength === 0) continue;
    pending.push({ header: m.header, body: m.body });
    if (messageHeaderType(m.header) !== MESSAGE_RECORD_BATCH) continue;
    out.push({ table: tableFromIPC(encodeStream([{ header: schema!.header, body: schema!.body }, ...pending])), appMetadata: m.appMetadata ? Buffer.from(m.appMetadata).toString() : null });
    pending = [];
  }
  return out;
}

test('the answer schema comes first, before the client sends any batch', async () => {
  const call = client.DoExchange() as ExchangeCall;
  const first = new Promise<FlightDataMessage>((resolve, reject) => {
    call.once('data', resolve);
    call.once('error', reject);
  });
  call.write({ descriptor: cmdDescriptor({ table: 'people', key: 'id', columns: ['name'] }), header: new Uint8Array(0), body: new Uint8Array(0) });
  const schema = decodeSchema((await first).header);
  assert.deepEqual(schema.fields.map((f) => f.name), ['name']);
  call.end();
  await new Promise((resolve) => call.on('end', resolve).resume());
});

test('each input batch is answered by one batch of the matching rows, with its app_metadata', async () => {
  const { replies, error } = await exchange(input([[2, 9, 1], [], [3, 3]]));
  assert.equal(error, null);
  const got = answers(replies);
  assert.deepEqual(got.map((a) => a.appMetadata), ['batch-1', 'batch-2', 'batch-3']);
  assert.deepEqual(got.map((a) => a.table.toArray().map((r) => r.toJSON())), [
    [{ id: 2, name: 'bob' }, { id: 2, name: 'bea' }, { id: 1, name: 'ann' }],
    [],
    [{ id: 3, name: 'cy' }, { id: 3, name: 'cy' }],
  ]);
});

test('a metadata-only message is answered with the same metadata, in turn', async () => {
  const messages = input([[1]]);
  messages.splice(1, 0, { header: new Uint8Array(0), body: new Uint8Array(0), appMetadata: Buffer.from('ping') });
  const { replies, error } = await exchange(messages);
  assert.equal(error, null);
  const metadataOnly = replies.filter((m) => m.header.byteLength === 0);
  assert.deepEqual(metadataOnly.map((m) => Buffer.from(m.appMetadata!).toString()), ['ping']);
  assert.ok(replies.indexOf(metadataOnly[0]!) < replies.findIndex((m) => m.appMetadata && Buffer.from(m.appMetadata).toString() === 'batch-1'));
});

const refusals: [string, FlightDataMessage[], grpc.status, RegExp][] = [
  ['a PATH descriptor', input([[1]], pathDescriptor('people')), grpc.status.INVALID_ARGUMENT, /CMD descriptor.*"key"/],
  ['a descriptor that is not JSON', input([[1]], cmdDescriptor('people by id')), grpc.status.INVALID_ARGUMENT, /not valid JSON/],
  ['a descriptor without a key', input([[1]], cmdDescriptor({ table: 'people' })), grpc.status.INVALID_ARGUMENT, /"key" must be a column name/],
  ['an unknown table', input([[1]], cmdDescriptor({ table: 'nobody', key: 'id' })), grpc.status.NOT_FOUND, /"nobody" does not exist/],
  ['a key column the table lacks', input([[1]], cmdDescriptor({ table: 'people', key: 'pid' })), grpc.status.INVALID_ARGUMENT, /no key column "pid"; its columns are id, name/],
  ['no descriptor', input([[1]]).map((m, i) => (i === 0 ? { header: m.header, body: m.body } : m)), grpc.status.INVALID_ARGUMENT, /carries no FlightDescriptor/],
];

for (const [what, messages, code, message] of refusals) {
  test(`${what} is refused`, async () => {
    const { error } = await exchange(messages);
    assert.equal(error?.code, code, error?.details);
    assert.match(error!.details, message);
  });
}

test('an input key of another type is refused naming both types', async () => {
  const frames = framesOf(tableFromArrays({ id: Float64Array.from([1]) }));
  const { error } = await exchange(putMessages(cmdDescriptor({ table: 'people', key: 'id' }), frames));
  assert.equal(error?.code, grpc.status.INVALID_ARGUMENT);
  assert.match(error!.details, /"id" is double in the input but int32 in table "people"/);
});

test('a malformed batch is refused and the server keeps serving', async () => {
  const messages = input([[1, 2]]);
  messages[1] = { ...messages[1]!, body: messages[1]!.body.subarray(0, 4) };
  const { error } = await exchange(messages);
  assert.equal(error?.code, grpc.status.INVALID_ARGUMENT);
  assert.match(error!.details, /malformed Arrow IPC/);

  const again = await exchange(input([[1]]));
  assert.equal(again.error, null);
  assert.equal(answers(again.replies)[0]!.table.getChild('name')!.get(0), 'ann');
});

test('a batch whose buffers do not fit their types is refused', async () => {
  const messages = input([[1, 2]]);
  const message = Message.decode(new Uint8Array(messages[1]!.header));
  const rb = message.header() as unknown as RecordBatchHeader;
  // The int32 values buffer cut to 7 bytes: inside the body, but not a whole number of values.
  const buffers = rb.buffers.map((b, i) => (i === rb.buffers.length - 1 ? new BufferRegion(b.offset, 7) : b));
  messages[1] = { ...messages[1]!, header: Message.encode(Message.from(new RecordBatchHeader(rb.length, rb.nodes, buffers, null), message.bodyLength)) };
  const { error } = await exchange(messages);
  assert.equal(error?.code, grpc.status.INVALID_ARGUMENT, error?.details);
  assert.match(error!.details, /malformed Arrow IPC/);
});

test('LZ4-compressed key batches are answered; one whose buffer decodes short of its length prefix is refused', async () => {
  const compressed = (messages: FlightDataMessage[]) => messages.map((m, i) => (i === 0 ? m : { ...m, ...compressFrame(m, CompressionType.LZ4_FRAME) }));
  const ok = await exchange(compressed(input([[2, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]])));
  assert.equal(ok.error, null, ok.error?.details);
  assert.deepEqual(answers(ok.replies)[0]!.table.getChild('name')!.toArray().slice(0, 3), ['bob', 'bea', 'ann']);

  const messages = compressed(input([[2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]]));
  const rb = Message.decode(new Uint8Array(messages[1]!.header)).header() as unknown as RecordBatchHeader;
  const values = rb.buffers[rb.buffers.length - 1]!;
  const body = new Uint8Array(messages[1]!.body);
  const view = new DataView(body.buffer);
  assert.equal(view.getBigInt64(values.offset, true), 64n, 'the values buffer is compressed');
  view.setBigInt64(values.offset, 72n, true);
  const { error } = await exchange([messages[0]!, { ...messages[1]!, body }]);
  assert.equal(error?.code, grpc.status.INVALID_ARGUMENT, error?.details);
  assert.match(error!.details, /decompresses to 64 bytes, its length prefix says 72/);
});

test('a second schema message is refused', async () => {
  const messages = input([[1]]);
  messages.push({ header: messages[0]!.header, body: messages[0]!.body });
  const { error } = await exchange(messages);
  assert.equal(error?.code, grpc.status.INVALID_ARGUMENT);
  assert.match(error!.details, /one schema/);
});

test('a call cancelled mid-stream ends there, and the server serves the next lookup', async () => {
  const call = client.DoExchange() as ExchangeCall;
  const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
  call.on('error', () => undefined);
  const messages = input([[1], [2]]);
  let answered = 0;
  const firstAnswer = new Promise<void>((resolve) => call.on('data', (m: FlightDataMessage) => {
    if (m.appMetadata) { answered++; resolve(); }
  }));
  call.write(messages[0]!);
  call.write(messages[1]!);
  await firstAnswer;
  call.cancel();
  assert.equal((await status).code, grpc.status.CANCELLED);
  assert.equal(answered, 1);

  const again = await exchange(input([[2]]));
  assert.equal(again.error, null);
  assert.deepEqual(answers(again.replies)[0]!.table.getChild('name')!.toArray(), ['bob', 'bea']);
});
