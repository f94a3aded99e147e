// Three quiver replicas on one shared data root and a real ZooKeeper: the elected leader
// commits, followers pass writes through to it, every replica serves reads and lists all live
// replicas in its endpoints, and when the leader is killed another takes over with no
// acknowledged write lost.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { tableFromArrays } from 'apache-arrow';
import { startZooKeeper, type ZooKeeperCluster } from '../harness/zookeeper.ts';
import { ZkSession } from '../../src/coord/zookeeper/session.ts';
import { bySequence } from '../../src/coord/zookeeper/sequential-nodes.ts';
import { ZnodeLayout } from '../../src/coord/zookeeper/znode-layout.ts';
import { framesOf, pathDescriptor, putMessages } from '../harness/arrow-frames.ts';
import { runCli } from '../harness/cli-process.ts';
import { FlightClient } from '../../src/client/index.ts';
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

/** The replica whose election node comes first, read straight from ZooKeeper. */
async function currentLeader(): Promise<Replica> {
  const session = await ZkSession.open({ connect: zk.connect, sessionTimeoutMs: 3000 });
  try {
    const election = new ZnodeLayout('replicas-test').election;
    const [first] = bySequence(await session.getChildren(election));
    const node = first ? await session.getData(`${election}/${first}`) : null;
    const location = node ? (JSON.parse(node.data.toString()) as { location: string }).location : '';
    const leader = replicas.find((r) => r.location === location);
    assert.ok(leader, `no replica has the leader's location ${location}`);
    return leader;
  } finally {
    await session.close();
  }
}

/** Writes `rows` rows through the given live replicas in turn until one write is acknowledged. */
async function writeThroughAny(candidates: Replica[], table: string, rows: number): Promise<Replica> {
  const deadline = Date.now() + EVENT_WAIT_MS;
  for (;;) {
    for (const r of candidates) {
      const { error } = await rawPut(r.client, putMessages(pathDescriptor(table), batch(rows)));
      if (!error) return r;
      assert.equal(error.code, grpc.status.UNAVAILABLE, `a write failed with ${grpc.status[error.code]}: ${error.details}`);
    }
    if (Date.now() > deadline) throw new Error('no write was accepted in time');
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

  test('writes through any replica reach the leader; every replica reads them', async () => {
    let rows = 0;
    for (const r of replicas) {
      const { error, results } = await rawPut(r.client, putMessages(pathDescriptor('t'), batch(5)).map((m, i) => (i === 1 ? { ...m, appMetadata: Buffer.from('b1') } : m)));
      assert.equal(error, null, `a write through ${r.location} failed: ${error?.details}`);
      assert.deepEqual(results.map((x) => x.toString()), ['b1'], 'the leader\'s acks come back through the follower');
      rows += 5;
    }
    for (const r of replicas) {
      const got = await rowsVia(r, 't');
      assert.equal(got.rows, rows);
      assert.deepEqual([...got.locations].sort(), replicas.map((x) => x.location).sort(), 'endpoints list every live replica');
    }
  });

  test('every replica reports the same leader and members; quiver cluster shows them', async () => {
    const leader = await currentLeader();
    for (const r of replicas) {
      const [result] = await streamCall<{ body: Buffer }>(r.client, 'DoAction', { type: 'cluster-status', body: Buffer.alloc(0) });
      const report = JSON.parse(result!.body.toString()) as { mode: string; is_leader: boolean; leader: { location: string }; members: { location: string }[]; session: string };
      assert.equal(report.mode, 'cluster');
      assert.equal(report.session, 'connected');
      assert.equal(report.is_leader, r === leader);
      assert.equal(report.leader.location, leader.location);
      assert.deepEqual(report.members.map((m) => m.location).sort(), replicas.map((x) => x.location).sort());
    }
    const cli = await runCli(['cluster', '--server', replicas[0]!.location]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`leader: ${leader.location.replace(/[+.]/g, '\\$&')}`));
    for (const r of replicas) assert.ok(cli.stdout.includes(r.location), `quiver cluster does not list ${r.location}`);
  });

  test('when the leader is killed another replica takes the writes; nothing acknowledged is lost', async () => {
    const leader = await currentLeader();
    await writeThroughAny([leader], 't', 7);
    const killedAt = Date.now();
    leader.process.child.kill('SIGKILL');
    const survivors = replicas.filter((r) => r !== leader);
    await writeThroughAny(survivors, 't', 11);
    console.log(`# failover: writes accepted again ${Date.now() - killedAt} ms after the leader was killed`);
    assert.notEqual(await currentLeader(), leader);
    for (const r of replicas.filter((x) => x !== leader)) {
      const history = await streamCall<{ body: Buffer }>(r.client, 'DoAction', { type: 'history', body: Buffer.from('{"table":"t"}') });
      const versions = history.map((h) => JSON.parse(h.body.toString()) as { version: number; rows: number });
      assert.deepEqual(versions.map((v) => v.version), [1, 2, 3, 4, 5], 'versions are contiguous');
      assert.deepEqual(versions.map((v) => v.rows), [5, 10, 15, 22, 33], 'every acknowledged write is there once');
      assert.equal((await rowsVia(r, 't')).rows, 33);
    }
  });
});

describe('a cluster with password auth', () => {
  const secured: Replica[] = [];
  let zk2: ZooKeeperCluster;
  before(async () => {
    zk2 = await startZooKeeper({ nodes: 1 });
    const data = tempDir('quiver-cluster-auth-');
    for (let i = 0; i < 2; i++) {
      const process = await startQuiver(['--zk', zk2.connect, '--cluster', 'auth-test', '--zk-session-timeout', '3s', '--auth', 'basic:alice:secret'], data);
      secured.push({ process, client: rawClient(process.address), location: `grpc+tcp://127.0.0.1:${process.port}` });
    }
  });
  after(async () => {
    for (const r of secured) {
      r.client.close();
      await r.process.stop();
    }
    await zk2?.stop();
  });

  test('a bearer token from one replica\'s Handshake writes through the other', async () => {
    // Handshake on one replica, write through the other with that token: whichever of the two
    // leads, one of the pairings forwards the token to a replica that did not issue it.
    for (const [issuer, writer] of [[secured[0]!, secured[1]!], [secured[1]!, secured[0]!]] as const) {
      const tokenClient = await FlightClient.connect(issuer.location, { credentials: { username: 'alice', password: 'secret' } });
      const token = await tokenClient.handshake({ username: 'alice', password: 'secret' });
      tokenClient.close();
      assert.ok(token);
      const client = await FlightClient.connect(writer.location, { token });
      try {
        const outcome = await client.doPut('secured', tableFromArrays({ n: Int32Array.from([1, 2]) }));
        assert.equal(outcome.acks.length, 1);
      } finally {
        client.close();
      }
    }
    const reader = await FlightClient.connect(secured[0]!.location, { credentials: { username: 'alice', password: 'secret' } });
    try {
      assert.equal((await reader.readTable('secured')).numRows, 4);
    } finally {
      reader.close();
    }
  });
});
