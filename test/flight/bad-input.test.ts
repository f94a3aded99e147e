// Bad input over real gRPC: each gets its status code and an actionable message, the server
// keeps serving, and committed data does not change.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { tableFromArrays } from 'apache-arrow';
import { abandonedBatch, cmdDescriptor, framesOf, pathDescriptor, putMessages } from '../harness/arrow-frames.ts';
import { PROJECT_ROOT, startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';
import { rawClient, rawPut, streamCall, unaryCall, type RawClient } from '../harness/raw-flight-client.ts';

const good = tableFromArrays({ id: Int32Array.from([1, 2, 3]), name: ['a', 'b', 'c'] });
let server: QuiverProcess;
let client: RawClient;

function dataFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (path.basename(d) === 'data') out.push(path.join(d, e.name));
    }
  };
  walk(dir);
  return out.sort();
}

async function keepIsIntact(): Promise<void> {
  const info = await unaryCall<{ total_records: number; endpoint: { ticket: { ticket: Buffer } }[] }>(client, 'GetFlightInfo', pathDescriptor('keep'));
  assert.equal(info.total_records, 3);
  const history = await streamCall<{ body: Buffer }>(client, 'DoAction', { type: 'history', body: Buffer.from('{"table":"keep"}') });
  assert.equal(history.length, 1, 'bad input must not add versions');
}

function assertStatus(error: grpc.ServiceError | null, code: grpc.status, pattern: RegExp): void {
  assert.ok(error, `expected ${grpc.status[code]}, got success`);
  assert.equal(error.code, code, `expected ${grpc.status[code]}, got ${grpc.status[error.code]}: ${error.details}`);
  assert.match(error.details, pattern);
}

describe('bad input', () => {
  before(async () => {
    server = await startQuiver();
    client = rawClient(server.address);
    const put = await rawPut(client, putMessages(pathDescriptor('keep'), framesOf(good)));
    assert.equal(put.error, null);
  });
  after(async () => {
    client?.close();
    assert.equal(await server?.stop(), 0);
  });

  test('a DoPut without a descriptor is INVALID_ARGUMENT', async () => {
    const [schema] = framesOf(good);
    const { error } = await rawPut(client, [{ header: schema!.header, body: schema!.body }]);
    assertStatus(error, grpc.status.INVALID_ARGUMENT, /FlightDescriptor/);
  });

  test('a header that is not an IPC message is INVALID_ARGUMENT', async () => {
    const { error } = await rawPut(client, [{ descriptor: pathDescriptor('garbage'), header: Buffer.from('definitely not a flatbuffer'), body: Buffer.alloc(0) }]);
    assertStatus(error, grpc.status.INVALID_ARGUMENT, /malformed Arrow IPC|not an Arrow IPC/);
  });

  test('a batch whose body is shorter than its header declares is INVALID_ARGUMENT', async () => {
    const frames = framesOf(good);
    frames[1] = { header: frames[1]!.header, body: frames[1]!.body.subarray(0, 8) };
    const { error } = await rawPut(client, putMessages(pathDescriptor('keep'), frames));
    assertStatus(error, grpc.status.INVALID_ARGUMENT, /declares a body of \d+ bytes/);
    await keepIsIntact();
  });

  test('a second schema mid-stream is INVALID_ARGUMENT', async () => {
    const frames = framesOf(good);
    const { error } = await rawPut(client, putMessages(pathDescriptor('keep'), [frames[0]!, frames[1]!, frames[0]!]));
    assertStatus(error, grpc.status.INVALID_ARGUMENT, /second one/);
    await keepIsIntact();
  });

  test('appending a different schema is INVALID_ARGUMENT naming the column', async () => {
    const other = tableFromArrays({ id: Float64Array.from([1.5]), name: ['x'] });
    const { error } = await rawPut(client, putMessages(pathDescriptor('keep'), framesOf(other)));
    assertStatus(error, grpc.status.INVALID_ARGUMENT, /column id has type Int32 in the table and Float64 in the stream/);
    await keepIsIntact();
  });

  test('create on an existing table is ALREADY_EXISTS', async () => {
    const { error } = await rawPut(client, putMessages(cmdDescriptor({ table: 'keep', mode: 'create' }), framesOf(good)));
    assertStatus(error, grpc.status.ALREADY_EXISTS, /already exists/);
    await keepIsIntact();
  });

  test('a CMD descriptor that is not JSON is INVALID_ARGUMENT', async () => {
    const { error } = await rawPut(client, putMessages(cmdDescriptor('{table: keep'), framesOf(good)));
    assertStatus(error, grpc.status.INVALID_ARGUMENT, /not valid JSON/);
    await assert.rejects(unaryCall(client, 'GetFlightInfo', cmdDescriptor({ table: 'keep', version: 'latest' })), (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT);
  });

  test('an empty PATH descriptor is INVALID_ARGUMENT', async () => {
    await assert.rejects(unaryCall(client, 'GetFlightInfo', { type: 'PATH', path: [] }), (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT && /no elements/.test(e.details));
  });

  test('an unknown table is NOT_FOUND', async () => {
    await assert.rejects(unaryCall(client, 'GetFlightInfo', pathDescriptor('no such table')), (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND && /does not exist/.test(e.details));
    await assert.rejects(unaryCall(client, 'GetSchema', pathDescriptor('no such table')), (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND);
  });

  test('an unknown version or column is NOT_FOUND / INVALID_ARGUMENT', async () => {
    await assert.rejects(unaryCall(client, 'GetFlightInfo', cmdDescriptor({ table: 'keep', version: 9 })), (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND && /no version 9/.test(e.details));
    await assert.rejects(unaryCall(client, 'GetFlightInfo', cmdDescriptor({ table: 'keep', columns: ['nope'] })), (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT && /no column "nope"/.test(e.details));
  });

  test('a forged ticket is INVALID_ARGUMENT', async () => {
    await assert.rejects(streamCall(client, 'DoGet', { ticket: Buffer.from('give me everything') }), (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT && /not a quiver ticket/.test(e.details));
  });

  test('an unknown action is INVALID_ARGUMENT and lists the known ones', async () => {
    await assert.rejects(streamCall(client, 'DoAction', { type: 'format-disk', body: Buffer.alloc(0) }), (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT && /history/.test(e.details));
  });

  test('a DoPut whose client is killed half way commits nothing and leaves no files', async () => {
    const first = await rawPut(client, putMessages(pathDescriptor('killed'), framesOf(abandonedBatch())));
    assert.equal(first.error, null);
    const before = dataFiles(server.dataDir);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'test/harness/abandoned-put.ts'), server.address, 'killed'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    for (let i = 0; i < 100 && dataFiles(server.dataDir).length === before.length; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(dataFiles(server.dataDir).length > before.length, 'the abandoned put should have staged a file before it was killed');
    child.kill('SIGKILL');
    // The server notices the broken connection asynchronously.
    for (let i = 0; i < 50 && dataFiles(server.dataDir).length !== before.length; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(dataFiles(server.dataDir), before);
    const info = await unaryCall<{ total_records: number }>(client, 'GetFlightInfo', pathDescriptor('killed'));
    assert.equal(info.total_records, 1000);
  });

  test('the server still serves after all of the above', async () => {
    const put = await rawPut(client, putMessages(pathDescriptor('after'), framesOf(good)));
    assert.equal(put.error, null);
    const info = await unaryCall<{ total_records: number }>(client, 'GetFlightInfo', pathDescriptor('after'));
    assert.equal(info.total_records, 3);
  });
});

describe('message size limit', () => {
  test('a message over --max-message-bytes is RESOURCE_EXHAUSTED and the server keeps serving', async () => {
    const small = await startQuiver(['--max-message-bytes', '4096']);
    const c = rawClient(small.address);
    try {
      const big = tableFromArrays({ v: Float64Array.from({ length: 10_000 }, (_, i) => i) });
      const { error } = await rawPut(c, putMessages(pathDescriptor('big'), framesOf(big)));
      assertStatus(error, grpc.status.RESOURCE_EXHAUSTED, /.+/);
      const ok = await rawPut(c, putMessages(pathDescriptor('small'), framesOf(good)));
      assert.equal(ok.error, null);
      await assert.rejects(unaryCall(c, 'GetFlightInfo', pathDescriptor('big')), (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND);
    } finally {
      c.close();
      await small.stop();
    }
  });
});
