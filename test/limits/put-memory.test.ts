// DoPut memory stays bounded by what the client cannot control: the app_metadata a write keeps
// until its commit counts against --max-buffered-bytes (zero-row batches included), and
// PutResults a client does not read pile up only to a bound, after which the call waits and,
// past the stall timeout, fails RESOURCE_EXHAUSTED having committed nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { tableFromArrays } from 'apache-arrow';
import { encodeFlightData, type FlightDataMessage } from '../../src/wire/flight-data.ts';
import { framesOf, pathDescriptor } from '../harness/arrow-frames.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';
import { rawClient, rawPut, unaryCall, type RawClient } from '../harness/raw-flight-client.ts';
import { connect, frame, open, outcome } from './raw-h2.ts';

const KiB = 1024;
const RESOURCE_EXHAUSTED = 8;

let server: QuiverProcess;
let client: RawClient;

before(async () => {
  server = await startQuiver(['--max-buffered-bytes', '1048576', '--stall-timeout', '1s']);
  client = rawClient(server.address);
});
after(async () => {
  client?.close();
  await server?.stop();
});

test('app_metadata kept for the commit counts against --max-buffered-bytes, zero-row batches included', async () => {
  const [schema] = framesOf(tableFromArrays({ x: Int32Array.from([1]) }));
  const zeroRow = framesOf(tableFromArrays({ x: new Int32Array(0) })).at(-1)!;
  const messages: FlightDataMessage[] = [{ descriptor: pathDescriptor('metadata-heavy'), header: schema!.header, body: schema!.body }];
  for (let i = 0; i < 40; i++) messages.push({ header: zeroRow.header, body: zeroRow.body, appMetadata: Buffer.alloc(64 * KiB, i) });
  const { error } = await rawPut(client, messages);
  assert.equal(error?.code, grpc.status.RESOURCE_EXHAUSTED, String(error));
  assert.match(error!.details, /app_metadata adds up to \d+ bytes, over this server's 1048576 \(setting maxBufferedBytes, --max-buffered-bytes\); nothing was committed/);
  await assert.rejects(unaryCall(client, 'GetFlightInfo', pathDescriptor('metadata-heavy')), (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND);
});

test('PutResults a client does not read are bounded: the call waits, then fails RESOURCE_EXHAUSTED', async () => {
  const [schema, batch] = framesOf(tableFromArrays({ x: Int32Array.from([1]) }));
  const session = await connect(server.address);
  try {
    const stream = open(session, 'DoPut');
    stream.pause(); // reads no PutResult until everything is sent
    stream.write(frame(encodeFlightData({ descriptor: pathDescriptor('unread-acks'), header: schema!.header, body: schema!.body })));
    stream.write(frame(encodeFlightData({ header: batch!.header, body: batch!.body })));
    // Metadata-only messages: stored nowhere, each answered by a PutResult echoing 256 KiB.
    for (let i = 0; i < 64; i++) stream.write(frame(encodeFlightData({ header: new Uint8Array(0), body: new Uint8Array(0), appMetadata: Buffer.alloc(256 * KiB, i) })));
    stream.end();
    // Long enough for the server to stage everything and, with the bound, to give up waiting.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    stream.resume();
    const got = await outcome(stream, 30_000);
    assert.equal(got.code, RESOURCE_EXHAUSTED, JSON.stringify(got));
    assert.match(got.message, /PutResults wait for the client, which read none for 1 s/);
  } finally {
    session.destroy();
  }
  await assert.rejects(unaryCall(client, 'GetFlightInfo', pathDescriptor('unread-acks')), (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND);
});
