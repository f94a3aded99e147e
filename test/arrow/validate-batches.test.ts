// The stream validator (src/arrow/validate) on batches damaged in one way each, directly and
// through a real server's DoPut and DoExchange: each is INVALID_ARGUMENT naming the column and
// what is wrong, and nothing is committed (issue 9, item 2; item 3's bounds for compressed
// bodies through DoPut and DoExchange).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { CompressionType, Dictionary, Int32, Int8, Message, Table as ArrowTable, Utf8, vectorFromArray, type Table } from 'apache-arrow';
import type { RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import xxh32 from 'lz4js/xxh32.js';
import { compressFrame } from '../../src/arrow/body-compression.ts';
import type { IpcFrame } from '../../src/arrow/ipc-framing.ts';
import { IpcFormatError, decodeSchema, inspectMessage } from '../../src/arrow/ipc-message.ts';
import { StreamValidator } from '../../src/arrow/validate/stream-validator.ts';
import { cmdDescriptor, framesOf, pathDescriptor, putMessages } from '../harness/arrow-frames.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';
import { rawClient, rawPut, unaryCall, type RawClient } from '../harness/raw-flight-client.ts';
import type { FlightDataMessage } from '../../src/wire/flight-data.ts';

const plain = (names: (string | null)[]) => new ArrowTable({ id: vectorFromArray(names.map((_, i) => i + 1), new Int32()), name: vectorFromArray(names, new Utf8()) });
const people = () => plain(['ann', 'bob', 'cy']);
const copy = (frames: IpcFrame[]) => frames.map((f) => ({ header: new Uint8Array(f.header), body: new Uint8Array(f.body) }));

/** The body bytes of buffer `index` of the frame's batch. */
function bufferOf(frame: IpcFrame, index: number): Uint8Array {
  const rb = Message.decode(frame.header).header() as unknown as RecordBatchHeader;
  const region = rb.buffers[index]!;
  return frame.body.subarray(Number(region.offset), Number(region.offset) + Number(region.length));
}

/** The table's frames with `edit` applied to buffer `index` of its last batch. */
function damaged(table: Table, index: number, edit: (buffer: Uint8Array) => void): IpcFrame[] {
  const frames = copy(framesOf(table));
  edit(bufferOf(frames[frames.length - 1]!, index));
  return frames;
}

function validate(frames: IpcFrame[]): void {
  const validator = new StreamValidator(decodeSchema(frames[0]!.header));
  frames.slice(1).forEach((f, i) => validator.check(f.header, f.body, inspectMessage(f.header), `message ${i + 2}`));
}

const words = (b: Uint8Array) => new Int32Array(b.buffer, b.byteOffset, b.byteLength >> 2);

// people(): buffers are id validity, id data, name validity, name offsets, name data.
const CASES: [string, () => IpcFrame[], RegExp][] = [
  ['offsets that decrease', () => damaged(people(), 3, (b) => { words(b)[2] = 1; }), /column name: its offsets decrease at value 1/],
  ['a last offset beyond the data', () => damaged(people(), 3, (b) => { words(b)[3] = 4000; }), /column name: its last offset 4000 lies beyond its data buffer/],
  ['a negative first offset', () => damaged(people(), 3, (b) => { words(b)[0] = -1; }), /column name: its first offset is -1/],
  ['a string that is not UTF-8', () => damaged(people(), 4, (b) => { b[3] = 0xff; }), /column name: value 1 is not valid UTF-8/],
  ['a dictionary index past its dictionary', () => {
    const tags = new ArrowTable({ tag: vectorFromArray(['x', 'y', 'x'], new Dictionary(new Utf8(), new Int8())) });
    // Buffers of the record batch: tag validity, tag indices.
    return damaged(tags, 1, (b) => { b[2] = 9; });
  }, /column tag: index 9 at row 2 is outside its dictionary \(id \d+\) of 2 values/],
  ['a null count the validity bitmap contradicts', () => {
    return damaged(plain(['a', null, 'c']), 2, (b) => { b[0] = 0b111; });
  }, /column name: its null count is 1 but its validity bitmap marks 0 nulls/],
];

describe('the stream validator', () => {
  test('accepts what arrow-js writes', () => validate(framesOf(people())));

  for (const [what, frames, message] of CASES) {
    test(`refuses ${what}`, () => assert.throws(() => validate(frames()), (e: Error) => e instanceof IpcFormatError && message.test(e.message)));
  }

  test('refuses a metadata version this server does not read', () => {
    const frames = copy(framesOf(people()));
    const header = frames[1]!.header;
    // Message.version is the first field of the root table; find it through the vtable.
    const view = new DataView(header.buffer, header.byteOffset);
    const table = view.getUint32(0, true);
    const vtable = table - view.getInt32(table, true);
    view.setInt16(table + view.getUint16(vtable + 4, true), 2, true);
    assert.throws(() => inspectMessage(header), /metadata version 3 is not one this server reads/);
  });

  test('refuses a header whose vector runs past the buffer', () => {
    const frames = copy(framesOf(people()));
    const header = frames[1]!.header;
    // The field node vector's length word sits just before its first 16-byte node.
    const rb = Message.decode(header).header() as unknown as RecordBatchHeader;
    assert.equal(rb.nodes.length, 2);
    const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
    for (let at = 0; at + 4 <= header.byteLength; at += 4) if (view.getUint32(at, true) === 2 && view.getBigInt64(at + 4, true) === 3n) view.setUint32(at, 0x7fffffff, true);
    assert.throws(() => inspectMessage(header), /record batch nodes of 2147483647 elements .* lies outside/);
  });

  test('checks the decompressed buffers of a compressed body', () => {
    const frames = damaged(people(), 3, (b) => { words(b)[3] = 4000; });
    const packed = [frames[0]!, compressFrame(frames[1]!, CompressionType.LZ4_FRAME)];
    assert.throws(() => validate(packed), /column name: its last offset 4000/);
  });
});

/** An LZ4-compressed batch whose name offsets buffer is a tiny frame declaring a gigabyte. */
function gigabyteClaim(): IpcFrame[] {
  // Enough rows that the offsets buffer is larger than the fake frame.
  const frames = framesOf(plain(Array.from({ length: 200 }, (_, i) => `n${i}`)));
  const packed = compressFrame(frames[1]!, CompressionType.LZ4_FRAME);
  const body = new Uint8Array(packed.body);
  const rb = Message.decode(packed.header).header() as unknown as RecordBatchHeader;
  const region = rb.buffers[3]!;
  const at = Number(region.offset);
  const view = new DataView(body.buffer);
  view.setBigInt64(at, 1n << 30n, true);
  // A frame with a content size of 1 GiB and one stored block of 8 bytes, in place of the buffer.
  const descriptor = new Uint8Array([0x48, 0x70, 0, 0, 0, 0x40, 0, 0, 0, 0]);
  const frame = new Uint8Array([0x04, 0x22, 0x4d, 0x18, ...descriptor, (xxh32.hash(0, descriptor, 0, descriptor.length) >>> 8) & 0xff, 8, 0, 0, 0x80, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0]);
  assert.ok(frame.length <= Number(region.length) - 8, 'the fake frame fits in the buffer');
  body.fill(0, at + 8, at + Number(region.length));
  body.set(frame, at + 8);
  return [frames[0]!, { header: packed.header, body }];
}

describe('DoPut and DoExchange validate their input', () => {
  let server: QuiverProcess;
  let client: RawClient;
  before(async () => {
    server = await startQuiver();
    client = rawClient(server.address);
    assert.equal((await rawPut(client, putMessages(pathDescriptor('people'), framesOf(people())))).error, null);
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });

  const refused = (error: grpc.ServiceError | null, message: RegExp) => {
    assert.ok(error, 'expected INVALID_ARGUMENT, got success');
    assert.equal(error.code, grpc.status.INVALID_ARGUMENT, error.details);
    assert.match(error.details, message);
  };

  for (const [what, frames, message] of CASES) {
    test(`DoPut refuses ${what}, and nothing is committed`, async () => {
      const { error } = await rawPut(client, putMessages(pathDescriptor(`bad-${what}`), frames()));
      refused(error, message);
      await assert.rejects(unaryCall(client, 'GetFlightInfo', pathDescriptor(`bad-${what}`)), (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND);
    });
  }

  test('DoPut refuses a tiny LZ4 frame claiming a gigabyte', async () => {
    const { error } = await rawPut(client, putMessages(pathDescriptor('lz4-claim'), gigabyteClaim()));
    refused(error, /declares 1073741824 bytes of content/);
  });

  const exchange = (messages: FlightDataMessage[]) => new Promise<grpc.ServiceError | null>((resolve) => {
    const call = client.DoExchange() as grpc.ClientDuplexStream<FlightDataMessage, FlightDataMessage>;
    call.on('data', () => {});
    call.on('error', resolve);
    call.on('end', () => resolve(null));
    for (const m of messages) call.write(m);
    call.end();
  });

  test('DoExchange refuses keys with offsets past their data, and a tiny LZ4 frame claiming a gigabyte', async () => {
    const lookup = cmdDescriptor({ table: 'people', key: 'name' });
    refused(await exchange(putMessages(lookup, CASES[1]![1]())), /column name: its last offset 4000/);
    refused(await exchange(putMessages(lookup, gigabyteClaim())), /declares 1073741824 bytes of content/);
    assert.equal(await exchange(putMessages(lookup, framesOf(people()))), null, 'a valid lookup is answered');
  });
});
