// A server whose Ceph RADOS Gateway answers slowly (a fault proxy holds every reply): commits
// and reads take longer and still succeed, exactly once, with the right rows; two writers
// committing through slow replies get contiguous versions; and a reply lost after the gateway
// applied a put (the client retries and finds the key taken) never commits a write twice.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FlightClient } from '../../src/client/index.ts';
import { listAll } from '../../src/object-store/object-store.ts';
import { S3Store } from '../../src/object-store/s3-store.ts';
import { startServer } from '../../src/server/start-server.ts';
import { startBucketFixture, type BucketFixture } from '../harness/ceph-rgw.ts';
import { rowsOf, sampleTable } from '../harness/flight-tables.ts';
import { HttpFaultProxy } from '../harness/http-fault-proxy.ts';

let fx: BucketFixture;
let proxy: HttpFaultProxy;

before(async () => {
  fx = await startBucketFixture();
  proxy = await HttpFaultProxy.start(fx.gateway.port);
});

after(async () => {
  await proxy?.close();
  await fx?.stop();
});

const through = (prefix: string) => fx.s3Options(prefix, { endpoint: proxy.endpoint });

async function logVersions(prefix: string): Promise<number[]> {
  const store = new S3Store({ bucket: fx.bucket, prefix }, fx.gateway.connection);
  try {
    const out: number[] = [];
    for await (const o of listAll(store, 'log/')) if (!o.key.endsWith('table.json')) out.push(Number(o.key.split('/').at(-1)!.slice(0, 20)));
    return out;
  } finally {
    store.close();
  }
}

test('slow replies: commits and reads succeed, once each, and two writers get contiguous versions', async () => {
  const server = await startServer(through('slow'));
  const clients = [new FlightClient(server.location), new FlightClient(server.location)];
  try {
    const expected: unknown[] = [];
    const first = sampleTable(2, 4);
    await clients[0]!.doPut('t', first);
    expected.push(...rowsOf(first));
    // Every reply of the next 200 requests is held 300 ms: puts, log entries, heads, gets.
    proxy.arm({ kind: 'delay', delayMs: 300 }, 200);
    const tables = [sampleTable(2, 3), sampleTable(1, 5)];
    await Promise.all(tables.map((t, i) => clients[i]!.doPut('t', t).then(() => expected.push(...rowsOf(t)))));
    assert.ok(proxy.faulted > 0);
    // A reader with an empty cache, through the same slow gateway.
    const reader = await startServer(through('slow'));
    const rc = new FlightClient(reader.location);
    try {
      const rows = rowsOf(await rc.readTable('t'));
      assert.equal(rows.length, expected.length);
      assert.deepEqual(rows.map((r) => JSON.stringify(r)).sort(), expected.map((r) => JSON.stringify(r)).sort());
    } finally {
      rc.close();
      await reader.close();
    }
    proxy.disarm();
    assert.deepEqual(await logVersions('slow'), [1, 2, 3]);
  } finally {
    proxy.disarm();
    for (const c of clients) c.close();
    await server.close();
  }
});

test('a put whose reply is lost after the gateway applied it: the write commits once or fails, never twice', async () => {
  const server = await startServer(through('lost'));
  const client = new FlightClient(server.location);
  try {
    const first = sampleTable(1, 3);
    await client.doPut('t', first);
    // The next PUT's reply is lost after the gateway applied it: the first data put of this write.
    proxy.arm({ kind: 'lose', status: 500 }, 1, 'PUT');
    const second = sampleTable(1, 4);
    let committed = true;
    await client.doPut('t', second).catch(() => (committed = false));
    proxy.disarm();
    console.log(`# the write whose put reply was lost ${committed ? 'committed' : 'failed'}`);
    const rows = rowsOf(await client.readTable('t'));
    assert.deepEqual(rows, committed ? [...rowsOf(first), ...rowsOf(second)] : rowsOf(first));
    assert.deepEqual(await logVersions('lost'), committed ? [1, 2] : [1]);
    // The next write commits after it, once.
    const third = sampleTable(1, 2);
    await client.doPut('t', third);
    assert.equal(rowsOf(await client.readTable('t')).length, rows.length + 2);
  } finally {
    proxy.disarm();
    client.close();
    await server.close();
  }
});
