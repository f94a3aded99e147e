// Three quiver replicas on one shared data root and a real ZooKeeper: the elected leader takes
// writes, followers refuse them fast naming the leader, every replica serves reads and lists
// all live replicas in its endpoints, and when the leader is killed another takes over with no
// acknowledged write lost.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { tableFromArrays } from 'apache-arrow';
import { startZooKeeper, type ZooKeeperCluster } from '../../scripts/zookeeper.ts';
import { framesOf, pathDescriptor, putMessages } from '../harness/arrow-frames.ts';
import { startQuiver, tempDir, type QuiverProcess } from '../harness/quiver-process.ts';
import { rawClient, rawPut, streamCall, unaryCall, type RawClient } from '../harness/raw-flight-client.ts';

const EVENT_WAIT_MS = 30_000;
const batch = (n: number) => framesOf(tableFromArrays({ n: Int32Array.from({ length: n }, (_, i) => i) }));

interface Replica {
  process: QuiverProcess;
  client: RawClient;
  location: string;
}

let zk: ZooKeeperCluster;
const replicas: Replica[] = [];

async function startReplica(data: string): Promise<Replica> {
  const process = await startQuiver(['--zk', zk.connect, '--cluster', 'replicas-test', '--zk-session-timeout', '3s'], data);
  return { process, client: rawClient(process.address), location: `grpc+tcp://127.0.0.1:${process.port}` };
}

/** Writes `rows` rows through whichever live replica leads; retries while leadership moves. */
async function writeThroughLeader(table: string, rows: number): Promise<Replica> {
  const deadline = Date.now() + EVENT_WAIT_MS;
  for (;;) {
    for (const r of replicas) {
      if (r.process.child.exitCode !== null || r.process.child.signalCode !== null) continue;
      const { error } = await rawPut(r.client, putMessages(pathDescriptor(table), batch(rows)));
      if (!error) return r;
      assert.equal(error.code, grpc.status.UNAVAILABLE, `a write failed with ${grpc.status[error.code]}: ${error.details}`);
    }
    if (Date.now() > deadline) throw new Error('no replica became leader in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function rowsVia(r: Replica, table: string): Promise<{ rows: number; locations: string[] }> {
  const info = await unaryCall<{ total_records: number; endpoint: { ticket: { ticket: Buffer }; location: { uri: string }[] }[] }>(r.client, 'GetFlightInfo', pathDescriptor(table));
  const messages = await streamCall<{ header: Uint8Array }>(r.client, 'DoGet', { ticket: info.endpoint[0]!.ticket.ticket });
  assert.ok(messages.length >= 1);
  return { rows: info.total_records, locations: info.endpoint[0]!.location.map((l) => l.uri) };
}

describe('a cluster of three replicas', () => {
  before(async () => {
    zk = await startZooKeeper({ nodes: 1 });
    const data = tempDir('quiver-cluster-');
    for (let i = 0; i < 3; i++) replicas.push(await startReplica(data));
  });
  after(async () => {
    for (const r of replicas) {
      r.client.close();
      await r.process.stop();
    }
    await zk?.stop();
  });

  test('one leader writes; followers refuse fast, naming it; every replica reads', async () => {
    const leader = await writeThroughLeader('t', 5);
    for (const r of replicas.filter((x) => x !== leader)) {
      const { error } = await rawPut(r.client, putMessages(pathDescriptor('t'), batch(1)));
      assert.equal(error?.code, grpc.status.UNAVAILABLE);
      assert.match(error!.details, new RegExp(`follower.*leader is ${leader.location.replace(/[+.]/g, '\\$&')}`));
    }
    for (const r of replicas) {
      const { rows, locations } = await rowsVia(r, 't');
      assert.equal(rows, 5);
      assert.deepEqual([...locations].sort(), replicas.map((x) => x.location).sort(), 'endpoints list every live replica');
    }
  });

  test('when the leader is killed another replica takes the writes; nothing acknowledged is lost', async () => {
    const leader = await writeThroughLeader('t', 7);
    const killedAt = Date.now();
    leader.process.child.kill('SIGKILL');
    const next = await writeThroughLeader('t', 11);
    console.log(`# failover: writes accepted again ${Date.now() - killedAt} ms after the leader was killed`);
    assert.notEqual(next, leader);
    for (const r of replicas.filter((x) => x !== leader)) {
      const history = await streamCall<{ body: Buffer }>(r.client, 'DoAction', { type: 'history', body: Buffer.from('{"table":"t"}') });
      const versions = history.map((h) => JSON.parse(h.body.toString()) as { version: number; rows: number });
      assert.deepEqual(versions.map((v) => v.version), [1, 2, 3], 'versions are contiguous');
      assert.deepEqual(versions.map((v) => v.rows), [5, 12, 23], 'every acknowledged write is there once');
      assert.equal((await rowsVia(r, 't')).rows, 23);
    }
  });
});
