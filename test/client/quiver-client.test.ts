// FlightClient against a real quiver server: every RPC, app_metadata in both directions,
// errors as FlightError, and readTable over what GetFlightInfo returns.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Table, makeVector } from 'apache-arrow';
import { FlightClient, FlightError, GrpcStatus } from '../../src/client/index.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';
import { batchesOf, rowsOf, sampleTable } from '../harness/flight-tables.ts';

const cmd = (json: unknown) => ({ type: 'CMD' as const, cmd: Buffer.from(JSON.stringify(json)) });
const text = (b: Uint8Array | null) => Buffer.from(b ?? []).toString('utf8');

describe('FlightClient against quiver', () => {
  let server: QuiverProcess;
  let client: FlightClient;
  before(async () => {
    server = await startQuiver(['--endpoint-bytes', '1']);
    client = new FlightClient(`grpc+tcp://${server.address}`);
  });
  after(async () => {
    client.close();
    await server.stop();
  });

  test('doPut acknowledges each batch with its app_metadata; the commit rides in a trailer', async () => {
    const table = sampleTable(3, 4);
    const seen: string[] = [];
    const out = await client.doPut('people', table, {
      appMetadata: (_b, i) => Buffer.from(`batch-${i}`),
      onResult: (md) => seen.push(text(md)),
    });
    assert.equal(out.batches, 3);
    assert.equal(out.rows, 12);
    assert.deepEqual(out.acks.map(text), ['batch-0', 'batch-1', 'batch-2']);
    assert.equal(out.results.length, 3);
    assert.deepEqual(JSON.parse(String(out.trailers.get('quiver-commit')[0])), { version: 1, rows: 12, added_rows: 12, operation: 'create' });
    assert.deepEqual(seen.slice(0, 3), ['batch-0', 'batch-1', 'batch-2']);
  });

  test('doPut from an async iterable appends through a CMD descriptor', async () => {
    const out = await client.doPut(cmd({ table: 'people', mode: 'append' }), batchesOf(sampleTable(1, 5)));
    const commit = JSON.parse(String(out.trailers.get('quiver-commit')[0]));
    assert.equal(commit.version, 2);
    assert.equal(commit.rows, 17);
  });

  test('readTable follows every endpoint and returns the rows as put', async () => {
    const info = await client.getFlightInfo('people');
    assert.ok(info.endpoints.length > 1, 'one endpoint per file with --endpoint-bytes 1');
    assert.equal(info.totalRecords, 17);
    assert.deepEqual(info.schema?.fields.map((f) => f.name), ['id', 'name', 'score']);
    const table = await client.readTable(info);
    assert.deepEqual(rowsOf(table), [...rowsOf(sampleTable(3, 4)), ...rowsOf(sampleTable(1, 5))]);
  });

  test('readTable takes a descriptor too: time travel and projection', async () => {
    const v1 = await client.readTable(cmd({ table: 'people', version: 1, columns: ['name'] }));
    assert.deepEqual(v1.schema.fields.map((f) => f.name), ['name']);
    assert.equal(v1.numRows, 12);
  });

  test('doGet yields batches with their app_metadata slots', async () => {
    const info = await client.getFlightInfo('people');
    let rows = 0;
    for await (const item of client.doGet(info.endpoints[0]!).items()) rows += item.batch?.numRows ?? 0;
    assert.ok(rows > 0);
  });

  test('listFlights, getSchema and pollFlightInfo describe the table', async () => {
    const names: string[][] = [];
    for await (const info of client.listFlights()) if (info.descriptor?.type === 'PATH') names.push(info.descriptor.path);
    assert.deepEqual(names, [['people']]);
    const schema = await client.getSchema('people');
    assert.deepEqual(schema.fields.map((f) => f.name), ['id', 'name', 'score']);
    const poll = await client.pollFlightInfo('people');
    assert.equal(poll.progress, 1);
    assert.equal(poll.descriptor, null);
    assert.equal(poll.info?.totalRecords, 17);
  });

  test('doAction and listActions', async () => {
    const actions = await client.listActions();
    assert.ok(actions.some((a) => a.type === 'history'));
    const versions: number[] = [];
    for await (const r of client.doAction('history', JSON.stringify({ table: 'people' }))) versions.push(JSON.parse(text(r)).version);
    assert.deepEqual(versions, [1, 2]);
  });

  test("compression: 'lz4' sends compressed bodies that quiver stores and looks up in", async () => {
    const table = sampleTable(2, 3_000);
    const plain = await client.doPut('squeezed-plain', table);
    const packed = await client.doPut('squeezed', table, { compression: 'lz4' });
    assert.ok(packed.bytes < plain.bytes * 0.8, `LZ4 bodies (${packed.bytes} bytes) should be smaller than plain ones (${plain.bytes})`);
    assert.deepEqual(rowsOf(await client.readTable('squeezed')), rowsOf(table));
    const exchange = client.doExchange(cmd({ table: 'squeezed', key: 'id' }), { compression: 'lz4' });
    const keys = new Table({ id: makeVector(Int32Array.from({ length: 2_000 }, (_, i) => (i * 7) % 6_500)) }).batches[0]!;
    await exchange.write(keys);
    exchange.end();
    const answers: number[] = [];
    for await (const batch of exchange) answers.push(...(batch.getChild('id')!.toArray() as Int32Array));
    assert.deepEqual(answers, Array.from({ length: 2_000 }, (_, i) => (i * 7) % 6_500).filter((id) => id < 6_000));
  });

  test('server errors are FlightErrors with the gRPC status code', async () => {
    await assert.rejects(client.getFlightInfo('missing'), (e: unknown) => {
      assert.ok(e instanceof FlightError);
      assert.equal(e.code, GrpcStatus.NOT_FOUND);
      assert.equal(e.codeName, 'NOT_FOUND');
      assert.match(e.details, /does not exist/);
      return true;
    });
    const drain = async () => {
      for await (const _ of client.doAction('no-such-action')) void _;
    };
    await assert.rejects(drain(), (e: unknown) => e instanceof FlightError && e.code === GrpcStatus.INVALID_ARGUMENT);
    await assert.rejects(client.doPut(cmd({ table: 'people', mode: 'create' }), sampleTable(1, 1)), (e: unknown) => e instanceof FlightError && e.code === GrpcStatus.ALREADY_EXISTS);
  });

  test('an unreachable server is UNAVAILABLE', async () => {
    const dead = new FlightClient('grpc+tcp://127.0.0.1:1');
    try {
      await assert.rejects(dead.getFlightInfo('x'), (e: unknown) => e instanceof FlightError && e.code === GrpcStatus.UNAVAILABLE);
    } finally {
      dead.close();
    }
  });
});

describe('FlightClient authentication against quiver', () => {
  let server: QuiverProcess;
  before(async () => {
    server = await startQuiver(['--auth', 'basic:alice:s3cret']);
  });
  after(() => server.stop());

  test('handshake with Basic credentials, then the bearer token rides on every call', async () => {
    const client = await FlightClient.connect(`grpc+tcp://${server.address}`, { credentials: { username: 'alice', password: 's3cret' } });
    try {
      await client.doPut('secured', sampleTable(1, 2));
      const table = await client.readTable('secured');
      assert.equal(table.numRows, 2);
      for await (const info of client.listFlights()) assert.equal(info.totalRecords, 2);
    } finally {
      client.close();
    }
  });

  test('no credentials and wrong credentials are UNAUTHENTICATED', async () => {
    const anonymous = new FlightClient(`grpc+tcp://${server.address}`);
    try {
      await assert.rejects(anonymous.getFlightInfo('secured'), (e: unknown) => e instanceof FlightError && e.code === GrpcStatus.UNAUTHENTICATED);
    } finally {
      anonymous.close();
    }
    await assert.rejects(
      FlightClient.connect(`grpc+tcp://${server.address}`, { credentials: { username: 'alice', password: 'nope' } }),
      (e: unknown) => e instanceof FlightError && e.code === GrpcStatus.UNAUTHENTICATED,
    );
  });
});
