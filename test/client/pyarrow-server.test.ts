// FlightClient against a reference server written with pyarrow.flight (C++ underneath): the
// client is a Flight client, not a quiver client. Covers endpoint and location following, Basic
// -> bearer authentication through headers, and TLS, mutual TLS and a custom CA.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FlightClient, FlightError, GrpcStatus } from '../../src/client/index.ts';
import { CORPUS } from '../harness/quiver-process.ts';
import { startPyarrowFlight, type PyarrowFlightProcess } from '../harness/pyarrow-flight-process.ts';
import { rowsOf, sampleTable } from '../harness/flight-tables.ts';

const TLS_DIR = path.join(CORPUS, 'tls');
const pem = (name: string) => fs.readFileSync(path.join(TLS_DIR, name));
const text = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('utf8');

describe('FlightClient against pyarrow.flight', () => {
  let server: PyarrowFlightProcess;
  let client: FlightClient;
  before(async () => {
    server = await startPyarrowFlight();
    client = new FlightClient(`grpc+tcp://localhost:${server.port}`);
    await client.doPut('numbers', sampleTable(3, 4), { appMetadata: (_b, i) => Buffer.from(`put-${i}`) });
  });
  after(async () => {
    client.close();
    await server.stop();
  });

  test('doPut gets one PutResult per batch, echoing app_metadata', async () => {
    const out = await client.doPut('echoed', sampleTable(2, 3), { appMetadata: (_b, i) => Buffer.from(`m${i}`) });
    assert.deepEqual(out.acks.map((a) => text(a)), ['m0', 'm1']);
    assert.equal(out.commit, null);
  });

  test('doGet yields RecordBatches with the server\'s app_metadata', async () => {
    const items: string[] = [];
    let rows = 0;
    for await (const item of client.doGet(Buffer.from('numbers')).items()) {
      rows += item.batch?.numRows ?? 0;
      items.push(text(item.appMetadata));
    }
    assert.equal(rows, 12);
    assert.deepEqual(items, ['batch 0', 'batch 1', 'batch 2']);
  });

  test('doGet reads batches whose bodies pyarrow compressed with LZ4 frames or zstd', async () => {
    const table = sampleTable(3, 5_000);
    await client.doPut('compressible', table);
    for (const codec of ['lz4', 'zstd']) {
      const got = await client.doGet(Buffer.from(`compressible@${codec}`)).readAll();
      assert.deepEqual(rowsOf(got), rowsOf(table), codec);
    }
  });

  test("doPut with compression: 'lz4' sends frames Arrow C++ decodes", async () => {
    const table = sampleTable(2, 5_000);
    await client.doPut('squeezed', table, { compression: 'lz4' });
    assert.deepEqual(rowsOf(await client.doGet(Buffer.from('squeezed')).readAll()), rowsOf(table));
  });

  test('readTable follows each endpoint, falling back from a dead location to reuse-connection', async () => {
    const info = await client.getFlightInfo({ type: 'CMD', cmd: Buffer.from('split:numbers') });
    assert.equal(info.endpoints.length, 3);
    assert.equal(info.endpoints[0]!.locations[0], 'grpc+tcp://127.0.0.1:1');
    const table = await client.readTable(info);
    assert.deepEqual(rowsOf(table), rowsOf(sampleTable(3, 4)));
  });

  test('listFlights, getSchema, listActions and doAction', async () => {
    const names: string[] = [];
    for await (const info of client.listFlights()) if (info.descriptor?.type === 'PATH') names.push(info.descriptor.path.join('/'));
    assert.ok(names.includes('numbers'));
    assert.deepEqual((await client.getSchema('numbers')).fields.map((f) => f.name), ['id', 'name', 'score']);
    assert.deepEqual((await client.listActions()).map((a) => a.type), ['echo', 'tables']);
    const results: string[] = [];
    for await (const r of client.doAction('echo', 'hello')) results.push(text(r));
    assert.deepEqual(results, ['hello']);
  });

  test('a Python exception arrives as a FlightError with its status', async () => {
    await assert.rejects(client.getSchema('missing'), (e: unknown) => e instanceof FlightError && e.code === GrpcStatus.NOT_FOUND && /no table missing/.test(e.details));
  });
});

describe('FlightClient authentication and TLS against pyarrow.flight', () => {
  const servers: PyarrowFlightProcess[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });
  const start = async (args: string[]) => {
    const s = await startPyarrowFlight(args);
    servers.push(s);
    return s;
  };

  test('Basic handshake yields a bearer token that authenticates later calls', async () => {
    const s = await start(['--auth', 'bob:pw']);
    const anonymous = new FlightClient(`grpc+tcp://localhost:${s.port}`);
    await assert.rejects(anonymous.listActions(), (e: unknown) => e instanceof FlightError && e.code === GrpcStatus.UNAUTHENTICATED);
    anonymous.close();
    const client = await FlightClient.connect(`grpc+tcp://localhost:${s.port}`, { credentials: { username: 'bob', password: 'pw' } });
    try {
      await client.doPut('t', sampleTable(1, 3));
      assert.equal((await client.readTable('t')).numRows, 3);
    } finally {
      client.close();
    }
  });

  test('grpc+tls with a custom CA', async () => {
    const s = await start(['--tls', TLS_DIR]);
    const client = new FlightClient(`grpc+tls://localhost:${s.port}`, { tls: { ca: pem('root-ca.pem') } });
    try {
      await client.doPut('t', sampleTable(1, 2));
      assert.equal((await client.readTable('t')).numRows, 2);
    } finally {
      client.close();
    }
    const untrusting = new FlightClient(`grpc+tls://localhost:${s.port}`);
    await assert.rejects(untrusting.listActions(), (e: unknown) => e instanceof FlightError && e.code === GrpcStatus.UNAVAILABLE);
    untrusting.close();
  });

  test('mutual TLS: a client certificate is required and accepted', async () => {
    const s = await start(['--mtls', TLS_DIR]);
    const withCert = new FlightClient(`grpc+tls://localhost:${s.port}`, { tls: { ca: pem('root-ca.pem'), cert: pem('cert1.pem'), key: pem('cert1.key') } });
    try {
      assert.deepEqual((await withCert.listActions()).map((a) => a.type), ['echo', 'tables']);
    } finally {
      withCert.close();
    }
    const withoutCert = new FlightClient(`grpc+tls://localhost:${s.port}`, { tls: { ca: pem('root-ca.pem') } });
    await assert.rejects(withoutCert.listActions(), (e: unknown) => e instanceof FlightError && e.code === GrpcStatus.UNAVAILABLE);
    withoutCert.close();
  });
});
