// quiver/client's protocol features beyond get and put, against the scenario server (real gRPC
// over loopback, quiver's handler kit): DoExchange, middleware and per-call headers, cookies
// with the session option actions, CancelFlightInfo and RenewFlightEndpoint.
import assert from 'node:assert/strict';
import type * as grpc from '@grpc/grpc-js';
import { after, describe, test } from 'node:test';
import { Field, Int32, RecordBatch, Schema, Struct, makeData } from 'apache-arrow';
import { FlightClient, FlightError, GrpcStatus, type ClientMiddleware } from '../../src/client/index.ts';
import { startScenarioServer } from '../conformance/scenario-server/main.ts';

const servers: grpc.Server[] = [];
after(() => servers.forEach((s) => s.forceShutdown()));

async function serve(scenario: string): Promise<FlightClient> {
  const { port, server } = await startScenarioServer(scenario);
  servers.push(server);
  return new FlightClient(`grpc+tcp://127.0.0.1:${port}`);
}

const cmd = (text: string) => ({ type: 'CMD' as const, cmd: Buffer.from(text) });
const schema = new Schema([new Field('x', new Int32(), false)]);
function batch(values: number[]): RecordBatch {
  const child = makeData({ type: new Int32(), length: values.length, nullCount: 0, data: Int32Array.from(values) });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: values.length, nullCount: 0, children: [child] }));
}
const text = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

describe('doExchange', () => {
  test('each written batch can be read back before the next is written, app_metadata as sent', async () => {
    const client = await serve('do_exchange:echo');
    try {
      const exchange = client.doExchange(cmd('echo'));
      const replies = exchange.items()[Symbol.asyncIterator]();
      for (const [i, values] of [[1, 2], [3], [4, 5, 6]].entries()) {
        await exchange.write(batch(values), i === 1 ? Buffer.from('one') : undefined);
        const { value, done } = await replies.next();
        assert.equal(done, false);
        assert.deepEqual(Array.from(value!.batch!.getChildAt(0)!.toArray() as Int32Array), values);
        assert.equal(text(value!.appMetadata), i === 1 ? 'one' : undefined);
      }
      await exchange.writeMetadata(Buffer.from('just metadata'));
      const meta = await replies.next();
      assert.deepEqual({ batch: meta.value!.batch, md: text(meta.value!.appMetadata) }, { batch: null, md: 'just metadata' });
      exchange.end();
      assert.equal((await replies.next()).done, true);
      await assert.rejects(exchange.write(batch([7])), (e: FlightError) => e.code === GrpcStatus.FAILED_PRECONDITION);
    } finally {
      client.close();
    }
  });

  test('an exchange that writes nothing still sends its descriptor, on end()', async () => {
    const client = await serve('do_exchange:echo');
    try {
      const exchange = client.doExchange(cmd('echo'));
      exchange.end();
      const items = [];
      for await (const item of exchange.items()) items.push(item);
      assert.deepEqual(items, []);
    } finally {
      client.close();
    }
  });

  test('aborting the signal cancels the exchange: both sides stop with CANCELLED', async () => {
    const client = await serve('do_exchange:echo');
    try {
      const controller = new AbortController();
      const exchange = client.doExchange(cmd('echo'), { signal: controller.signal });
      const replies = exchange.items()[Symbol.asyncIterator]();
      await exchange.write(batch([1]));
      assert.equal((await replies.next()).value!.batch!.numRows, 1);
      controller.abort();
      await assert.rejects(replies.next(), (e: FlightError) => e.code === GrpcStatus.CANCELLED);
      await assert.rejects(exchange.write(batch([2])), (e: FlightError) => e.code === GrpcStatus.CANCELLED);
    } finally {
      client.close();
    }
  });

  test('a refused exchange fails the read side with the server status', async () => {
    const client = await serve('do_exchange:echo');
    try {
      const exchange = client.doExchange(cmd('not echo'), { schema });
      await assert.rejects(async () => {
        for await (const _ of exchange) { /* nothing arrives */ }
      }, (e: FlightError) => e instanceof FlightError && e.code === GrpcStatus.UNIMPLEMENTED);
    } finally {
      client.close();
    }
  });
});

describe('middleware and headers', () => {
  test('hooks see request headers go out and response headers come back, on failure too', async () => {
    const log: string[] = [];
    const mw: ClientMiddleware = {
      sendingHeaders: (call, h) => { h.set('x-middleware', `from ${call.method}`); },
      receivedHeaders: (call, h) => { log.push(`${call.method} headers ${String(h.get('x-middleware')[0])}`); },
      callCompleted: (call, s) => { log.push(`${call.method} status ${GrpcStatus[s.code]}`); },
    };
    const { port, server } = await startScenarioServer('middleware');
    servers.push(server);
    const client = new FlightClient(`grpc+tcp://127.0.0.1:${port}`, { middleware: [mw] });
    try {
      await assert.rejects(client.getFlightInfo(cmd('fail')), (e: FlightError) => e.code === GrpcStatus.INVALID_ARGUMENT);
      await client.getFlightInfo(cmd('success'));
      assert.deepEqual(log, [
        'GetFlightInfo headers from GetFlightInfo', 'GetFlightInfo status INVALID_ARGUMENT',
        'GetFlightInfo headers from GetFlightInfo', 'GetFlightInfo status OK',
      ]);
    } finally {
      client.close();
    }
  });

  test('per-call headers reach the server', async () => {
    const seen: string[] = [];
    const { port, server } = await startScenarioServer('middleware');
    servers.push(server);
    const client = new FlightClient(`grpc+tcp://127.0.0.1:${port}`, {
      middleware: [{ receivedHeaders: (_c, h) => { seen.push(String(h.get('x-middleware')[0])); } }],
    });
    try {
      await client.getFlightInfo(cmd('success'), { headers: { 'x-middleware': 'per call' } });
      assert.deepEqual(seen, ['per call']);
    } finally {
      client.close();
    }
  });
});

describe('session options', () => {
  test('the session cookie carries options across calls until CloseSession', async () => {
    const client = await serve('session_options');
    try {
      assert.deepEqual(await client.getSessionOptions(), {});
      assert.deepEqual(client.cookies!.current, {}, 'no session before the first SetSessionOptions');
      const errors = await client.setSessionOptions({ big: 2n ** 62n + 1n, ratio: 0.5, on: true, tags: ['a', 'b'], name: 'x', lol_invalid: 1 });
      assert.deepEqual(errors, { lol_invalid: 'INVALID_NAME' });
      assert.ok(client.cookies!.current.arrow_flight_session_id, 'the server set its session cookie');
      assert.deepEqual(await client.getSessionOptions(), { big: 2n ** 62n + 1n, ratio: 0.5, on: true, tags: ['a', 'b'], name: 'x' });
      assert.deepEqual(await client.setSessionOptions({ big: null, name: 7 }), {});
      assert.deepEqual(await client.getSessionOptions(), { ratio: 0.5, on: true, tags: ['a', 'b'], name: 7 });
      // A second client has no cookie, so no session.
      const other = new FlightClient(client.location);
      assert.deepEqual(await other.getSessionOptions(), {});
      other.close();
      assert.equal(await client.closeSession(), 'CLOSED');
      assert.deepEqual(client.cookies!.current, {}, 'CloseSession expired the cookie');
      assert.deepEqual(await client.getSessionOptions(), {});
    } finally {
      client.close();
    }
  });

  test('with cookies: false there is no session to keep', async () => {
    const { port, server } = await startScenarioServer('session_options');
    servers.push(server);
    const client = new FlightClient(`grpc+tcp://127.0.0.1:${port}`, { cookies: false });
    try {
      assert.equal(client.cookies, null);
      await client.setSessionOptions({ a: 'b' });
      assert.deepEqual(await client.getSessionOptions(), {});
    } finally {
      client.close();
    }
  });
});

describe('cancelFlightInfo and renewFlightEndpoint', () => {
  test('renewal moves the expiration later; cancellation makes every ticket fail', async () => {
    const client = await serve('expiration_time:cancel_flight_info');
    try {
      const info = await client.getFlightInfo(cmd('expiration'));
      const expiring = info.endpoints[1]!;
      assert.ok(expiring.expirationTime);
      const renewed = await client.renewFlightEndpoint(expiring);
      assert.ok(renewed.expirationTime!.getTime() > expiring.expirationTime.getTime());
      assert.deepEqual(renewed.ticket, expiring.ticket);
      await assert.rejects(client.renewFlightEndpoint(info.endpoints[0]!), (e: FlightError) => e.code === GrpcStatus.INVALID_ARGUMENT);
      assert.equal((await client.doGet(info.endpoints[0]!).readAll()).numRows, 1);
      assert.equal(await client.cancelFlightInfo(info), 'CANCELLED');
      for (const e of info.endpoints) await assert.rejects(client.doGet(e).readAll(), (err: FlightError) => err.code === GrpcStatus.CANCELLED);
    } finally {
      client.close();
    }
  });
});
