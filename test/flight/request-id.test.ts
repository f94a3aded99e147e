// The real server's request ids: echoed when the client sends a usable one, made up otherwise,
// present on success (response headers) and on failure (trailers), and named in the log line
// of a failed call.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { rawClient, type RawClient } from '../harness/raw-flight-client.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';

let server: QuiverProcess;
let client: RawClient;

before(async () => {
  server = await startQuiver(['--log-level', 'info']);
  client = rawClient(server.address);
});
after(async () => {
  client.close();
  await server.stop();
});

const withId = (id: string) => {
  const m = new grpc.Metadata();
  m.set('x-request-id', id);
  return m;
};

/** The response headers of a ListFlights call (a success). */
function listFlightsHeaders(metadata: grpc.Metadata): Promise<grpc.Metadata> {
  return new Promise((resolve, reject) => {
    const call = client.ListFlights({ expression: Buffer.alloc(0) }, metadata) as grpc.ClientReadableStream<unknown>;
    let headers: grpc.Metadata | null = null;
    call.on('metadata', (m: grpc.Metadata) => (headers = m));
    call.on('data', () => {});
    call.on('error', reject);
    call.on('end', () => (headers ? resolve(headers) : reject(new Error('no response headers'))));
  });
}

/** The trailers of a GetFlightInfo of a table that does not exist (a failure). */
function failedCallTrailers(metadata: grpc.Metadata): Promise<grpc.ServiceError> {
  return new Promise((resolve, reject) => {
    client.GetFlightInfo({ type: 1, path: ['no-such-table'] }, metadata, (err: grpc.ServiceError | null) => (err ? resolve(err) : reject(new Error('the call succeeded'))));
  });
}

test('a usable request id is echoed on success and on failure, and the failure is logged with it', async () => {
  const ok = await listFlightsHeaders(withId('svc-a/4711'));
  assert.deepEqual(ok.get('x-request-id'), ['svc-a/4711']);
  const err = await failedCallTrailers(withId('svc-a/4712'));
  assert.equal(err.code, grpc.status.NOT_FOUND);
  assert.deepEqual(err.metadata.get('x-request-id'), ['svc-a/4712']);
  await new Promise((r) => setTimeout(r, 200));
  const line = server.stderr().split('\n').find((l) => l.includes('GetFlightInfo failed'));
  assert.ok(line?.includes('svc-a/4712'), `log line names the request id: ${line}`);
});

test('without a usable id the server makes one up, a fresh one per call', async () => {
  const a = (await listFlightsHeaders(new grpc.Metadata())).get('x-request-id')[0];
  const b = (await failedCallTrailers(new grpc.Metadata())).metadata.get('x-request-id')[0];
  assert.match(String(a), /^[0-9a-f-]{36}$/);
  assert.match(String(b), /^[0-9a-f-]{36}$/);
  assert.notEqual(a, b);
  const hostile = (await listFlightsHeaders(withId('x'.repeat(500)))).get('x-request-id')[0];
  assert.match(String(hostile), /^[0-9a-f-]{36}$/, 'an oversized id is replaced, not echoed');
});
