// Servers whose tables live in a bucket of a real Ceph RADOS Gateway (one started for this
// file): a table written through one server is in the bucket (data, manifests, log) and read
// back by another server with an empty cache; a server refuses to start on a store that does
// not honour If-None-Match; and two server processes racing appends on one bucket never both
// commit a version: the log is contiguous and every acknowledged append is in the table once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { tableFromArrays } from 'apache-arrow';
import { FlightClient, FlightError } from '../../src/client/index.ts';
import { listAll } from '../../src/object-store/object-store.ts';
import { S3Store } from '../../src/object-store/s3-store.ts';
import { startServer } from '../../src/server/start-server.ts';
import { startCephGateway, type CephGateway } from '../harness/ceph-rgw.ts';
import { HttpFaultProxy } from '../harness/http-fault-proxy.ts';
import { rowsOf, sampleTable } from '../harness/flight-tables.ts';
import { startQuiver, tempDir, type QuiverProcess } from '../harness/quiver-process.ts';

let gateway: CephGateway;
let bucket = '';
let secretFile = '';
const dirs: string[] = [];
const stores: S3Store[] = [];

const fresh = (prefix: string) => {
  const d = tempDir(prefix);
  dirs.push(d);
  return d;
};

/** The flags that point a server at the gateway. */
function s3Options(prefix: string, cacheDir = fresh('quiver-s3-cache-')) {
  return { data: `s3://${bucket}/${prefix}`, s3Endpoint: gateway.endpoint, s3AccessKeyId: gateway.accessKeyId, s3SecretAccessKeyFile: secretFile, cacheDir, maintenanceIntervalMs: 0, convertPaused: true };
}

function storeAt(prefix: string): S3Store {
  const s = new S3Store({ bucket, prefix }, gateway.connection);
  stores.push(s);
  return s;
}

before(async () => {
  const t0 = Date.now();
  gateway = await startCephGateway({ memoryBytes: 512 * 1024 ** 2 });
  console.log(`# Ceph RGW answered after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  bucket = await gateway.createBucket();
  const d = fresh('quiver-s3-secret-');
  secretFile = path.join(d, 'secret');
  fs.writeFileSync(secretFile, gateway.secretAccessKey, { mode: 0o600 });
});

after(async () => {
  for (const s of stores) s.close();
  await gateway?.stop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('a server on a bucket', () => {
  test('writes go to the bucket; another server with an empty cache reads them back', async () => {
    const first = await startServer(s3Options('one'));
    const client = new FlightClient(first.location);
    const expected: unknown[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const t = sampleTable(2, 5);
        expected.push(...rowsOf(t));
        await client.doPut('t', t);
      }
      assert.deepEqual(rowsOf(await client.readTable('t')), expected);
    } finally {
      client.close();
      await first.close();
    }
    const keys: string[] = [];
    for await (const o of listAll(storeAt('one'), '')) keys.push(o.key);
    assert.deepEqual(keys.filter((k) => k.startsWith('log/')).map((k) => k.replace(/^log\/[^/]+\//, '')), ['00000000000000000001.json', '00000000000000000002.json', '00000000000000000003.json', 'table.json']);
    assert.equal(keys.filter((k) => /^tables\/[^/]+\/manifests\//.test(k)).length, 3);
    assert.ok(keys.filter((k) => /^tables\/[^/]+\/data\//.test(k)).length >= 3, keys.join('\n'));

    // A second server, its own empty cache and work root: everything comes from the bucket.
    const second = await startServer(s3Options('one'));
    const reader = new FlightClient(second.location);
    try {
      assert.deepEqual(rowsOf(await reader.readTable('t')), expected);
      const tables = [];
      for await (const info of reader.listFlights()) if (info.descriptor?.type === 'PATH') tables.push(info.descriptor.path[0]);
      assert.deepEqual(tables, ['t']);
      // It commits after what the first one committed.
      await reader.doPut('t', sampleTable(1, 2));
      assert.equal((await reader.readTable('t')).numRows, expected.length + 2);
    } finally {
      reader.close();
      await second.close();
    }
  });

  test('a server refuses to start on a store that refuses conditional puts', async () => {
    // Every PUT answered 501, as OpenStack Swift's s3api answers If-None-Match: *.
    const proxy = await HttpFaultProxy.start(gateway.port);
    proxy.arm({ kind: 'refuse', status: 501 }, 100, 'PUT');
    try {
      await assert.rejects(startServer({ ...s3Options('refused'), s3Endpoint: proxy.endpoint }), /does not honour conditional puts: a put with If-None-Match: \* was refused/);
    } finally {
      await proxy.close();
    }
  });
});

async function action(client: FlightClient, type: string, body: unknown): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  for await (const r of client.doAction(type, JSON.stringify(body))) out.push(JSON.parse(Buffer.from(r).toString('utf8')));
  return out;
}

async function keysOf(store: S3Store, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of listAll(store, prefix)) keys.push(o.key);
  return keys;
}

describe('maintenance on a bucket', () => {
  test('expiry, compaction and orphan collection work on the objects; abandoned uploads are aborted', async () => {
    const server = await startServer({ ...s3Options('maint'), retentionMs: 300, gcGraceMs: 0, compactMinFiles: 3 });
    const client = new FlightClient(server.location);
    const store = storeAt('maint');
    try {
      for (let i = 0; i < 4; i++) await client.doPut('t', sampleTable(2, 3));
      const expected = rowsOf(await client.readTable('t'));
      const [dir] = (await keysOf(store, 'tables/')).map((k) => k.split('/')[1]!);
      await store.putIfAbsent(`tables/${dir}/data/orphan.parquet`, new Uint8Array([1, 2, 3]));
      await store.startUpload(`tables/${dir}/data/abandoned.parquet`);
      await new Promise((r) => setTimeout(r, 400));

      const first = await action(client, 'maintenance', { table: 't' });
      const steps = first.filter((r) => r.step).map((r) => r.step);
      assert.deepEqual(steps.find((s) => s.task === 'expire').result.expired, [1, 2, 3]);
      assert.equal(steps.find((s) => s.task === 'compact').result.compacted, true);
      assert.deepEqual(rowsOf(await client.readTable('t')), expected);
      const data = (await keysOf(store, `tables/${dir}/data/`)).map((k) => k.split('/').at(-1));
      // Version 4's four files (retained, superseded just now) and the compacted one; the orphan is gone.
      assert.equal(data.length, 5, data.join(' '));
      assert.ok(!data.includes('orphan.parquet'));
      assert.deepEqual(await store.listUploads('tables/'), []);
      assert.equal((await keysOf(store, `tables/${dir}/manifests/`)).length, 2);
      assert.equal((await keysOf(store, 'log/')).filter((k) => !k.endsWith('table.json')).length, 2);

      await new Promise((r) => setTimeout(r, 400));
      await action(client, 'maintenance', { table: 't' });
      // Version 4 expired: its files were released, and collected past the (zero) grace period.
      assert.equal((await keysOf(store, `tables/${dir}/data/`)).length, 1);
      assert.equal((await keysOf(store, `tables/${dir}/manifests/`)).length, 1);
      assert.deepEqual(rowsOf(await client.readTable('t')), expected);
    } finally {
      client.close();
      await server.close();
    }
  });
});

describe('two server processes on one bucket', () => {
  let servers: QuiverProcess[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  test('racing appends: versions are contiguous, no version is committed twice, every acknowledged append is there once', async () => {
    const env = ['--s3-endpoint', gateway.endpoint, '--s3-access-key-id', gateway.accessKeyId, '--s3-secret-access-key-file', secretFile, '--maintenance-interval', '0'];
    servers = await Promise.all([0, 1].map((i) => startQuiver([...env, '--cache-dir', fresh(`quiver-s3-race-${i}-`)], `s3://${bucket}/race`)));
    const clients = servers.map((s) => new FlightClient(`grpc+tcp://${s.address}`));
    try {
      await clients[0]!.doPut('r', tableFromArrays({ writer: Int32Array.from([-1]), n: Int32Array.from([-1]) }));
      const acknowledged: string[] = [];
      let conflicts = 0;
      const writer = async (w: number) => {
        for (let n = 0; n < 12; n++) {
          try {
            await clients[w]!.doPut('r', tableFromArrays({ writer: Int32Array.from([w]), n: Int32Array.from([n]) }));
            acknowledged.push(`${w}:${n}`);
          } catch (e) {
            // The loser of a race for version N+1: nothing was committed.
            assert.ok(e instanceof FlightError && e.code === grpc.status.ABORTED, String(e));
            conflicts++;
          }
        }
      };
      await Promise.all([writer(0), writer(1)]);
      console.log(`# ${acknowledged.length} appends acknowledged, ${conflicts} lost a race`);
      const log: string[] = [];
      for await (const o of listAll(storeAt('race'), 'log/')) log.push(o.key.replace(/^log\/[^/]+\//, ''));
      const versions = log.filter((k) => k !== 'table.json').map((k) => Number(k.slice(0, 20)));
      assert.deepEqual(versions, Array.from({ length: acknowledged.length + 1 }, (_, i) => i + 1));
      const rows = rowsOf(await clients[1]!.readTable('r')).map((r: any) => `${r.writer}:${r.n}`);
      assert.deepEqual(rows.filter((r) => r !== '-1:-1').sort(), [...acknowledged].sort());
      assert.equal(rows.length, acknowledged.length + 1);
    } finally {
      for (const c of clients) c.close();
    }
  });
});

describe('the gateway stopped during writes', () => {
  test('a write while the store is down fails UNAVAILABLE with nothing committed; after the restart writes commit once', async () => {
    const server = await startServer(s3Options('outage'));
    const client = new FlightClient(server.location);
    try {
      const first = sampleTable(1, 3);
      await client.doPut('t', first);
      // The stream is accepted while the gateway dies: the commit's puts find no store.
      const stream = (async function* () {
        const batches = sampleTable(2, 3).batches;
        yield batches[0]!;
        await gateway.stopGateway();
        yield batches[1]!;
      })();
      await assert.rejects(client.doPut('t', stream), (e: unknown) => e instanceof FlightError && e.code === grpc.status.UNAVAILABLE);
      await gateway.restartGateway();
      // Never half a write: the table is exactly its first version.
      assert.deepEqual(rowsOf(await client.readTable('t')), rowsOf(first));
      const log = (await keysOf(storeAt('outage'), 'log/')).filter((k) => !k.endsWith('table.json'));
      assert.equal(log.length, 1);
      const again = sampleTable(1, 3);
      await client.doPut('t', again);
      assert.deepEqual(rowsOf(await client.readTable('t')), [...rowsOf(first), ...rowsOf(again)]);
    } finally {
      client.close();
      await server.close();
    }
  });
});
