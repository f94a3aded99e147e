// Replicas cut off from ZooKeeper (through test/harness/link-proxy.ts) rejoin the election once
// the link heals, and say what is true while they cannot take writes. Issue 9's fault campaign
// found a cluster that took no write for 85 s after such a heal: the first election node carried
// the healed replica's own member data, so the election named that replica while its election,
// on a new session, waited behind the node of a session of its own that ZooKeeper had not
// expired. Here that node is planted (an ephemeral node with the replica's member data on a
// session the test keeps alive, which is what the replica's abandoned session looks like to the
// ensemble) so that the case no longer depends on the timing that made it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import zookeeper from 'node-zookeeper-client';
import * as grpc from '@grpc/grpc-js';
import { FlightError } from '../../src/client/index.ts';
import { bySequence } from '../../src/coord/zookeeper/sequential-nodes.ts';
import { ZkSession } from '../../src/coord/zookeeper/session.ts';
import { CLUSTER_EVENT_WAIT_MS, ReplicaCluster, type Replica } from '../harness/cluster-replicas.ts';
import { writeTable } from '../harness/cluster-workload.ts';
import { LinkProxy } from '../harness/link-proxy.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(check: () => Promise<T | null | false>, what: string, timeoutMs = CLUSTER_EVENT_WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = ` (last: ${(e as Error).message.split('\n')[0]})`;
    }
    await sleep(150);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}${last}`);
}

/** A DoPut through `r`: null when acknowledged, the error otherwise. */
async function put(r: Replica, id: string): Promise<FlightError | null> {
  try {
    await r.client.doPut('t', writeTable(id).batches, { deadline: 8000 });
    return null;
  } catch (e) {
    if (e instanceof FlightError) return e;
    throw e;
  }
}

describe('election after a replica is cut off from ZooKeeper', { timeout: 10 * 60_000 }, () => {
  const links: LinkProxy[] = [];
  let c: ReplicaCluster;
  let admin: ZkSession;

  before(async () => {
    c = await ReplicaCluster.start({
      zkNodes: 1,
      replicas: 2,
      connectFor: async (i, zk) => {
        links[i] = await LinkProxy.start(zk.nodes[0]!.clientPort);
        return links[i]!.address;
      },
    });
    admin = await ZkSession.open({ connect: c.zk.connect, sessionTimeoutMs: 10_000 });
  });

  after(async () => {
    await admin?.close();
    await c?.stop();
    for (const l of links) await l.close();
  });

  const candidates = async () => {
    const out: { name: string; data: string; owner: string }[] = [];
    for (const name of bySequence(await admin.getChildren(c.layout.election))) {
      const node = await admin.getData(`${c.layout.election}/${name}`);
      if (node) out.push({ name, data: node.data.toString(), owner: node.stat.ephemeralOwner.toString('hex') });
    }
    return out;
  };

  test('a follower whose own session is down says so (not "no leader is elected"), UNAVAILABLE', async () => {
    const leader = await c.waitForLeader();
    const follower = c.replicas.find((r) => r !== leader)!;
    const link = links[c.replicas.indexOf(follower)]!;
    link.sever('blackhole');
    try {
      await eventually(async () => (await follower.report()).session !== 'connected', 'the cut-off follower notices');
      const refused = await eventually(async () => {
        const e = await put(follower, 'own-session-down');
        return e && !/its own ZooKeeper session is connected/.test(e.message) ? e : null;
      }, 'a write through the cut-off follower is refused');
      assert.equal(refused.code, grpc.status.UNAVAILABLE, refused.message);
      assert.match(refused.message, /its own ZooKeeper session is (suspended|lost|connecting)/);
      assert.match(refused.message, /nothing was committed; retry in about \d+ s, or send the write to another replica/);
      assert.doesNotMatch(refused.message, /no leader is elected/);
      // The leader, which can see ZooKeeper, takes the write meanwhile.
      assert.equal(await put(leader, 'through-leader'), null);
    } finally {
      link.heal();
    }
    await eventually(async () => (await follower.report()).session === 'connected', 'the follower reconnects');
  });

  test('cut off past their session timeout, the replicas rejoin on new sessions and the cluster takes writes, even with a node of an old session of theirs ahead', async () => {
    const leader = await c.waitForLeader();
    const before = new Map(await Promise.all(c.replicas.map(async (r) => [r.name, (await r.report()).session_id] as const)));
    const leaderData = (await candidates())[0]!.data;
    assert.equal((JSON.parse(leaderData) as { location: string }).location, leader.location);
    for (const l of links) l.sever('blackhole');
    try {
      // Both sessions expire: the election directory empties.
      await eventually(async () => (await candidates()).length === 0, 'the ensemble expires both sessions');
      // The node an old session of the leader would leave: its member data, another session.
      await admin.create(`${c.layout.election}/_c_ghost-n_`, Buffer.from(leaderData), zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL);
    } finally {
      for (const l of links) l.heal();
    }
    const healed = Date.now();
    let lastRefusal = '';
    await eventually(async () => {
      for (const r of c.replicas) {
        const e = await put(r, `after-heal-${r.name}-${Date.now()}`);
        if (!e) return true;
        lastRefusal = `${r.name}: ${e.message}`;
        if (e.code !== grpc.status.UNAVAILABLE) throw new Error(`not UNAVAILABLE: ${e.message}`);
      }
      return false;
    }, `the cluster takes a write after the heal (last refusal: ${lastRefusal})`);
    console.log(`# first write acknowledged ${Date.now() - healed} ms after the heal`);
    // Each replica: a new session, and exactly one candidate node, owned by that session.
    const nodes = await candidates();
    assert.ok(!nodes.some((n) => n.name.startsWith('_c_ghost-')), `the old session's node was removed: ${JSON.stringify(nodes)}`);
    for (const r of c.replicas) {
      const report = await eventually(async () => {
        const rep = await r.report();
        return rep.session === 'connected' ? rep : null;
      }, `${r.name} is connected`);
      assert.notEqual(report.session_id, before.get(r.name), `${r.name} has a new session`);
      const own = (await candidates()).filter((n) => (JSON.parse(n.data) as { location: string }).location === r.location);
      assert.equal(own.length, 1, `${r.name} has one candidate node: ${JSON.stringify(own)}`);
      assert.equal(own[0]!.owner, report.session_id, `${r.name}'s node belongs to its current session`);
    }
    const leaders = (await Promise.all(c.replicas.map((r) => r.report()))).filter((s) => s.is_leader);
    assert.equal(leaders.length, 1, 'one writer');
  });
});
