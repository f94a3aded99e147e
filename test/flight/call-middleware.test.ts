// The handler kit's per-call pieces: middleware response headers arrive on success, on a
// handler failure and on an authentication failure (trailers-only responses); the legacy
// handshake (BasicAuth payload in, token out) and its `auth-token-bin` token on later calls.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { QuiverError } from '../../src/errors.ts';
import { Authenticator, basicAuth } from '../../src/flight/auth.ts';
import { serverStream, unary, type KitContext } from '../../src/flight/handler-kit.ts';
import { handshake } from '../../src/flight/handlers/handshake.ts';
import { encodeMessage, flightService } from '../../src/wire/protocol.ts';
import type { CallMiddleware } from '../../src/flight/response-headers.ts';
import { rawClient, type RawClient } from '../harness/raw-flight-client.ts';

const echo: CallMiddleware = {
  onCall({ metadata }, response) {
    response.set('x-echo', String(metadata.get('x-echo')[0] ?? 'none'));
  },
};

const silent = { info() {}, warn() {}, error() {} };
let server: grpc.Server;
let client: RawClient;

before(async () => {
  const kit: KitContext = { auth: new Authenticator(basicAuth(new Map([['ann', 'pw']]), 60_000)), log: silent, middleware: [echo] };
  server = new grpc.Server();
  server.addService(flightService, {
    Handshake: handshake(kit),
    GetFlightInfo: unary(kit, 'GetFlightInfo', async (d: { cmd: Buffer }) => {
      if (d.cmd.toString() !== 'ok') throw new QuiverError('NOT_FOUND', 'no such flight');
      return { endpoint: [], total_records: -1, total_bytes: -1 };
    }),
    DoAction: serverStream(kit, 'DoAction', async function* (_a, info) {
      yield { body: Buffer.from(info.identity.user) };
    }),
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  client = rawClient(`127.0.0.1:${port}`);
});
after(() => {
  client?.close();
  server?.forceShutdown();
});

function getInfo(cmd: string, md: grpc.Metadata): Promise<{ err: grpc.ServiceError | null; headers: grpc.Metadata | null }> {
  return new Promise((resolve) => {
    let headers: grpc.Metadata | null = null;
    const call = client.GetFlightInfo({ type: 'CMD', cmd: Buffer.from(cmd) }, md, (err: grpc.ServiceError | null) => resolve({ err, headers }));
    call.on('metadata', (m: grpc.Metadata) => { headers = m; });
  });
}

function doAction(md: grpc.Metadata): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const out: string[] = [];
    const call = client.DoAction({ type: '', body: Buffer.alloc(0) }, md);
    call.on('data', (r: { body: Buffer }) => out.push(r.body.toString()));
    call.on('error', reject);
    call.on('end', () => resolve(out));
  });
}

function basicAuthHandshake(user: string, password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const call = client.Handshake();
    call.on('data', (r: { payload: Buffer }) => { resolve(r.payload.toString()); call.end(); });
    call.on('error', reject);
    call.write({ protocol_version: 0, payload: encodeMessage('BasicAuth', { username: user, password }) });
  });
}

const withEcho = (extra: Record<string, string | Buffer> = {}) => {
  const md = new grpc.Metadata();
  md.set('x-echo', 'hello');
  for (const [k, v] of Object.entries(extra)) md.set(k, v);
  return md;
};

test('middleware headers come back on a failed call, including an unauthenticated one', async () => {
  const unauth = await getInfo('ok', withEcho());
  assert.equal(unauth.err?.code, grpc.status.UNAUTHENTICATED);
  assert.deepEqual(unauth.err?.metadata.get('x-echo'), ['hello']);
  const token = await basicAuthHandshake('ann', 'pw');
  const failed = await getInfo('missing', withEcho({ authorization: `Bearer ${token}` }));
  assert.equal(failed.err?.code, grpc.status.NOT_FOUND);
  assert.deepEqual(failed.err?.metadata.get('x-echo'), ['hello']);
});

test('middleware headers come back as response headers on success', async () => {
  const token = await basicAuthHandshake('ann', 'pw');
  const ok = await getInfo('ok', withEcho({ authorization: `Bearer ${token}` }));
  assert.equal(ok.err, null);
  assert.deepEqual(ok.headers?.get('x-echo'), ['hello']);
});

test('a handshake token is accepted as auth-token-bin; an empty one is not', async () => {
  await assert.rejects(doAction(withEcho({ 'auth-token-bin': Buffer.alloc(0) })), (e: grpc.ServiceError) => e.code === grpc.status.UNAUTHENTICATED);
  const token = await basicAuthHandshake('ann', 'pw');
  assert.deepEqual(await doAction(withEcho({ 'auth-token-bin': Buffer.from(token) })), ['ann']);
  await assert.rejects(doAction(withEcho({ 'auth-token-bin': Buffer.from('forged') })), (e: grpc.ServiceError) => e.code === grpc.status.UNAUTHENTICATED);
  await assert.rejects(basicAuthHandshake('ann', 'wrong'), (e: grpc.ServiceError) => e.code === grpc.status.UNAUTHENTICATED);
});
