// DoPut answers each record batch with exactly one PutResult echoing its app_metadata (Arrow
// Java pairs the k-th PutResult with the k-th batch), reports the commit in the quiver-commit
// trailer, and DoGet sends every batch back with the app_metadata it was put with.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { tableFromArrays } from 'apache-arrow';
import type { FlightDataMessage } from '../../src/wire/flight-data.ts';
import { framesOf, pathDescriptor } from '../harness/arrow-frames.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';
import { rawClient, streamCall, unaryCall, type RawClient } from '../harness/raw-flight-client.ts';

let server: QuiverProcess;
let client: RawClient;

before(async () => {
  server = await startQuiver();
  client = rawClient(server.address);
});
after(async () => {
  client?.close();
  await server?.stop();
});

function put(messages: FlightDataMessage[]): Promise<{ acks: Buffer[]; trailer: grpc.Metadata }> {
  return new Promise((resolve, reject) => {
    const call = client.DoPut() as grpc.ClientDuplexStream<FlightDataMessage, { app_metadata: Buffer }>;
    const acks: Buffer[] = [];
    call.on('data', (r) => acks.push(r.app_metadata));
    call.on('error', reject);
    call.on('status', (s: grpc.StatusObject) => (s.code === grpc.status.OK ? resolve({ acks, trailer: s.metadata }) : undefined));
    for (const m of messages) call.write(m);
    call.end();
  });
}

for (const format of ['parquet', 'arrow-stream'] as const) {
  test(`one PutResult per batch, the commit in a trailer, app_metadata back on DoGet (${format})`, async () => {
    const table = format === 'parquet'
      ? tableFromArrays({ x: Float64Array.from([1, 2, 3]) })
      : tableFromArrays({ x: Float64Array.from([1, 2, 3]), tag: ['a', 'b', 'a'] });
    const frames = framesOf(table);
    const batch = frames.at(-1)!;
    const name = `acks-${format}`;
    const messages: FlightDataMessage[] = [
      ...frames.slice(0, -1).map((f, i) => ({ ...(i === 0 ? { descriptor: pathDescriptor(name) } : {}), header: f.header, body: f.body })),
      { header: batch.header, body: batch.body, appMetadata: Buffer.from('first') },
      { header: batch.header, body: batch.body },
      { header: batch.header, body: batch.body, appMetadata: Buffer.from('third') },
    ];
    const { acks, trailer } = await put(messages);
    assert.deepEqual(acks.map((a) => a.toString()), ['first', '', 'third']);
    const commit = JSON.parse(String(trailer.get('quiver-commit')[0]));
    assert.deepEqual(commit, { version: 1, rows: 9, added_rows: 9, operation: 'create' });

    const info = await unaryCall<{ endpoint: { ticket: { ticket: Buffer } }[] }>(client, 'GetFlightInfo', pathDescriptor(name));
    const got = await streamCall<FlightDataMessage>(client, 'DoGet', { ticket: info.endpoint[0]!.ticket.ticket });
    const batches = got.filter((m) => m.body.byteLength > 0 && m.header.byteLength > 0).slice(format === 'parquet' ? 0 : 1);
    assert.deepEqual(batches.map((m) => (m.appMetadata ? Buffer.from(m.appMetadata).toString() : null)), ['first', null, 'third']);
  });
}
