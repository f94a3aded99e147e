// DoGet writes its encoded FlightData straight to the HTTP/2 stream (handler-kit's
// prebuiltServerStream): a long message as it is behind its own 5-byte prefix, short ones copied
// into pages. A server with interceptors (--metrics-port) takes grpc-js' per-message path; both
// must send the same messages, app_metadata included, in the order they were put.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { tableFromArrays } from 'apache-arrow';
import { DIRECT_BYTES, PAGE_BYTES } from '../../src/flight/handler-kit.ts';
import type { FlightDataMessage } from '../../src/wire/flight-data.ts';
import { framesOf, pathDescriptor } from '../harness/arrow-frames.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';
import { rawClient, rawPut, streamCall, unaryCall, type RawClient } from '../harness/raw-flight-client.ts';

const LONG_ROWS = 5_000; // 40 KB of float64: past DIRECT_BYTES
const SHORT_ROWS = 10;
// Runs of short batches long enough to fill more than one page, between long ones.
const SHORT_RUN = Math.ceil((2 * PAGE_BYTES) / (SHORT_ROWS * 8));
const PATTERN = [LONG_ROWS, ...Array<number>(SHORT_RUN).fill(SHORT_ROWS), LONG_ROWS, LONG_ROWS, ...Array<number>(SHORT_RUN).fill(SHORT_ROWS), LONG_ROWS];

function batchFrame(rows: number, start: number) {
  return framesOf(tableFromArrays({ x: Float64Array.from({ length: rows }, (_, i) => start + i) })).at(-1)!;
}

/** The put: schema, then PATTERN's batches, every third with app_metadata naming its place. */
function putSequence(name: string): FlightDataMessage[] {
  const schema = framesOf(tableFromArrays({ x: Float64Array.from([0]) }))[0]!;
  let start = 0;
  const batches = PATTERN.map((rows, i): FlightDataMessage => {
    const f = batchFrame(rows, start);
    start += rows;
    return { header: f.header, body: f.body, ...(i % 3 === 0 ? { appMetadata: Buffer.from(`batch ${i}`) } : {}) };
  });
  return [{ descriptor: pathDescriptor(name), header: schema.header, body: schema.body }, ...batches];
}

async function doGet(client: RawClient, name: string): Promise<FlightDataMessage[]> {
  const info = await unaryCall<{ endpoint: { ticket: { ticket: Buffer } }[] }>(client, 'GetFlightInfo', pathDescriptor(name));
  return streamCall<FlightDataMessage>(client, 'DoGet', { ticket: info.endpoint[0]!.ticket.ticket });
}

const wire = (m: FlightDataMessage) => [Buffer.from(m.header).toString('hex'), Buffer.from(m.body).toString('hex'), m.appMetadata ? Buffer.from(m.appMetadata).toString() : null];

describe('DoGet written straight to HTTP/2', () => {
  const servers: Record<string, { server: QuiverProcess; client: RawClient }> = {};
  before(async () => {
    for (const [label, args] of [['direct', []], ['interceptor', ['--metrics-port', '0']]] as const) {
      const server = await startQuiver([...args]);
      servers[label] = { server, client: rawClient(server.address) };
      assert.equal((await rawPut(servers[label]!.client, putSequence('mixed'))).error, null);
    }
  });
  after(async () => {
    for (const { server, client } of Object.values(servers)) {
      client.close();
      await server.stop();
    }
  });

  test('long and short messages, app_metadata, in order; the same messages as grpc-js\' per-message path', async () => {
    const direct = await doGet(servers.direct!.client, 'mixed');
    const batches = direct.slice(1);
    assert.equal(batches.length, PATTERN.length);
    // Each batch's body is as long as its rows need: long ones past DIRECT_BYTES, short ones under it.
    assert.deepEqual(batches.map((m) => m.body.byteLength >= DIRECT_BYTES), PATTERN.map((rows) => rows === LONG_ROWS));
    assert.deepEqual(batches.map((m) => (m.appMetadata ? Buffer.from(m.appMetadata).toString() : null)), PATTERN.map((_, i) => (i % 3 === 0 ? `batch ${i}` : null)));
    const viaInterceptor = await doGet(servers.interceptor!.client, 'mixed');
    assert.deepEqual(direct.map(wire), viaInterceptor.map(wire));
  });

  test('a client that cancels after the first message leaves the server serving', async () => {
    const { client } = servers.direct!;
    const info = await unaryCall<{ endpoint: { ticket: { ticket: Buffer } }[] }>(client, 'GetFlightInfo', pathDescriptor('mixed'));
    await new Promise<void>((resolve, reject) => {
      const call = client.DoGet({ ticket: info.endpoint[0]!.ticket.ticket }) as grpc.ClientReadableStream<FlightDataMessage>;
      call.once('data', () => call.cancel());
      call.on('error', (e: grpc.ServiceError) => (e.code === grpc.status.CANCELLED ? resolve() : reject(e)));
      call.on('end', () => reject(new Error('the cancelled DoGet ended normally')));
    });
    assert.equal((await doGet(client, 'mixed')).length, PATTERN.length + 1);
  });

  test('a ticket that fails before the first message is a status, not a stream', async () => {
    const { client } = servers.direct!;
    await assert.rejects(streamCall(client, 'DoGet', { ticket: Buffer.from('not a ticket') }), (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT);
  });
});
