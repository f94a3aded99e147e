// Cancellation through AbortSignal, and the guarantee that matters most: an aborted (or
// failed) DoPut never commits, because the client resets the HTTP/2 stream instead of letting
// grpc-js half-close it first (see src/wire/stream-reset.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import type { RecordBatch } from 'apache-arrow';
import { FlightClient, FlightError, GrpcStatus } from '../../src/client/index.ts';
import { createFlightServiceClient } from '../../src/wire/channel.ts';
import { parseLocation } from '../../src/wire/location.ts';
import { findHttp2Stream } from '../../src/wire/stream-reset.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';
import { framesOf, pathDescriptor } from '../harness/arrow-frames.ts';
import { sampleTable } from '../harness/flight-tables.ts';

const isCancelled = (e: unknown) => e instanceof FlightError && e.code === GrpcStatus.CANCELLED;

/** Yields `table`'s batches, then waits until released: a put that is still streaming. */
function stalledSource(batches: RecordBatch[]) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  async function* source(): AsyncGenerator<RecordBatch> {
    yield* batches;
    await released;
  }
  return { source: source(), release };
}

async function versions(client: FlightClient, table: string): Promise<{ version: number; added_rows: number }[]> {
  const out = [];
  for await (const r of client.doAction('history', JSON.stringify({ table }))) out.push(JSON.parse(Buffer.from(r).toString()));
  return out;
}

describe('cancellation', () => {
  let server: QuiverProcess;
  let client: FlightClient;
  before(async () => {
    server = await startQuiver();
    client = new FlightClient(`grpc+tcp://${server.address}`);
    await client.doPut('t', sampleTable(1, 3));
  });
  after(async () => {
    client.close();
    await server.stop();
  });

  test('an aborted doPut commits nothing, even after the server has staged its batches', async () => {
    const controller = new AbortController();
    const { source, release } = stalledSource(sampleTable(3, 4).batches);
    let acked = 0;
    const put = client.doPut('t', source, {
      signal: controller.signal,
      onResult: () => {
        // Every batch staged on the server: now abort in the middle of the stream.
        if (++acked === 3) controller.abort(new Error('user pressed ^C'));
      },
    });
    await assert.rejects(put, isCancelled);
    release();
    // The next put on the same connection commits after anything the aborted one could have.
    await client.doPut('t', sampleTable(1, 2));
    assert.deepEqual((await versions(client, 't')).map((v) => [v.version, v.added_rows]), [[1, 3], [2, 2]]);
  });

  test('a doPut whose source fails commits nothing and rethrows the source\'s error', async () => {
    async function* failing(): AsyncGenerator<RecordBatch> {
      yield* sampleTable(2, 4).batches;
      throw new Error('bad row 9 in input.csv');
    }
    await assert.rejects(client.doPut('t', failing()), /bad row 9/);
    await client.doPut('t', sampleTable(1, 1));
    assert.deepEqual((await versions(client, 't')).map((v) => v.added_rows), [3, 2, 1]);
  });

  test('aborting a doGet stops the stream with CANCELLED', async () => {
    await client.doPut('big', sampleTable(20, 10));
    const controller = new AbortController();
    const stream = client.doGet((await client.getFlightInfo('big')).endpoints[0]!, { signal: controller.signal });
    const read = async () => {
      for await (const _ of stream) controller.abort();
    };
    await assert.rejects(read(), isCancelled);
  });

  test('an already aborted signal fails unary and streaming calls at once', async () => {
    const signal = AbortSignal.abort();
    await assert.rejects(client.getFlightInfo('t', { signal }), isCancelled);
    await assert.rejects(client.readTable('t', { signal }), isCancelled);
    await assert.rejects(client.doPut('t', sampleTable(1, 1), { signal }), isCancelled);
  });

  test('the HTTP/2 stream under a grpc-js DoPut call can be found (grpc-js internals)', async () => {
    const stub = createFlightServiceClient(parseLocation(`grpc+tcp://${server.address}`));
    const call = stub.DoPut() as unknown as grpc.ClientDuplexStream<unknown, unknown>;
    const [schema, batch] = framesOf(sampleTable(1, 1));
    const acked = new Promise((resolve) => call.once('data', resolve));
    call.on('error', () => undefined);
    call.write({ descriptor: pathDescriptor('never'), header: schema!.header, body: schema!.body });
    call.write({ header: batch!.header, body: batch!.body });
    await acked;
    const stream = findHttp2Stream(call);
    assert.ok(stream, 'grpc-js internals changed: src/wire/stream-reset.ts cannot reach the HTTP/2 stream');
    assert.equal(stream.destroyed, false);
    call.cancel();
    stub.close();
  });
});
