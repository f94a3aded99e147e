// A committed data file damaged on disk: reads of it fail with DATA_LOSS naming the file, other
// tables and versions keep being served. The decoded-file cache is off here so that every read
// goes to disk; the last test shows what the cache changes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { tableFromArrays } from 'apache-arrow';
import { abandonedBatch, framesOf, pathDescriptor, putMessages } from '../harness/arrow-frames.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';
import { rawClient, rawPut, streamCall, unaryCall, type RawClient } from '../harness/raw-flight-client.ts';

let server: QuiverProcess;
let client: RawClient;

before(async () => {
  server = await startQuiver(['--cache-bytes', '0']);
  client = rawClient(server.address);
  for (const [name, table] of [['parquet', tableFromArrays({ x: Float64Array.from([1, 2, 3]) })], ['arrow', abandonedBatch()], ['healthy', tableFromArrays({ x: Int32Array.from([7]) })]] as const) {
    const put = await rawPut(client, putMessages(pathDescriptor(name), framesOf(table)));
    assert.equal(put.error, null);
  }
});
after(async () => {
  client?.close();
  await server?.stop();
});

function dataFileOf(table: string): string {
  const dir = path.join(server.dataDir, 'tables', `t_${table}`, 'data');
  return path.join(dir, fs.readdirSync(dir)[0]!);
}

async function readAll(table: string): Promise<unknown[]> {
  const info = await unaryCall<{ endpoint: { ticket: { ticket: Buffer } }[] }>(client, 'GetFlightInfo', pathDescriptor(table));
  return streamCall(client, 'DoGet', { ticket: info.endpoint[0]!.ticket.ticket });
}

for (const table of ['parquet', 'arrow']) {
  test(`a truncated ${table} data file is DATA_LOSS and the server keeps serving`, async () => {
    const file = dataFileOf(table);
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
    await assert.rejects(readAll(table), (e: grpc.ServiceError) => e.code === grpc.status.DATA_LOSS && e.details.includes(path.basename(file)));
    assert.equal((await readAll('healthy')).length, 2, 'schema and one batch');
  });
}

test('a missing data file is DATA_LOSS', async () => {
  fs.rmSync(dataFileOf('healthy'));
  await assert.rejects(readAll('healthy'), (e: grpc.ServiceError) => e.code === grpc.status.DATA_LOSS && /is missing/.test(e.details));
});

test('with the cache on, a file read once is served from memory', async () => {
  const cached = await startQuiver();
  const c = rawClient(cached.address);
  try {
    const put = await rawPut(c, putMessages(pathDescriptor('hot'), framesOf(tableFromArrays({ x: Float64Array.from([1, 2, 3]) }))));
    assert.equal(put.error, null);
    const info = await unaryCall<{ endpoint: { ticket: { ticket: Buffer } }[] }>(c, 'GetFlightInfo', pathDescriptor('hot'));
    const first = await streamCall<{ data_body: Buffer }>(c, 'DoGet', { ticket: info.endpoint[0]!.ticket.ticket });
    const dir = path.join(cached.dataDir, 'tables', 't_hot', 'data');
    fs.rmSync(path.join(dir, fs.readdirSync(dir)[0]!));
    const second = await streamCall<{ data_body: Buffer }>(c, 'DoGet', { ticket: info.endpoint[0]!.ticket.ticket });
    assert.deepEqual(second, first);
  } finally {
    c.close();
    await cached.stop();
  }
});
