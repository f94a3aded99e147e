// The failure matrix: three quiver replica processes over one shared data root and a real
// ZooKeeper (tickTime 500 ms, 2 s sessions), with writers and readers running through different
// replicas while a leader or ZooKeeper is killed, paused or cut off. After each case the same
// invariants hold (test/harness/cluster-invariants.ts): every acknowledged write is in the
// final version exactly once, versions are contiguous, every file every retained manifest
// references exists, and no reader ever saw part of a write.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RecordBatch } from 'apache-arrow';
import { FlightError } from '../../src/client/index.ts';
import { FaultProxy } from '../harness/fault-proxy.ts';
import { CLUSTER_EVENT_WAIT_MS, ReplicaCluster, type Replica } from '../harness/cluster-replicas.ts';
import { checkClusterInvariants } from '../harness/cluster-invariants.ts';
import { Workload, writeBatches } from '../harness/cluster-workload.ts';

const MULTI = 14;
const SESSION_MS = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A DoPut whose batches are all sent at once but whose stream ends only when `release` resolves. */
function heldWrite(replica: Replica, workload: Workload, id: string, release: Promise<void>): Promise<boolean> {
  async function* source(): AsyncGenerator<RecordBatch> {
    yield* writeBatches(id);
    await release;
  }
  workload.writes.attempted.add(id);
  return replica.client.doPut(workload.table, source(), { deadline: 60_000 }).then(
    () => {
      workload.writes.acked.add(id);
      return true;
    },
    () => false,
  );
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = CLUSTER_EVENT_WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting until ${what}`);
}

async function finish(cluster: ReplicaCluster, workload: Workload, name: string): Promise<void> {
  const { writes, reads } = await workload.stop();
  const report = await checkClusterInvariants(cluster, workload.table, writes, reads);
  console.log(`# ${name}: ${report.versions} versions, ${report.acked} acknowledged writes, ${report.committedUnacknowledged} committed without acknowledgement, ${reads.reads} reads, failures ${JSON.stringify([...writes.failures])}`);
}

async function withCluster(options: Parameters<typeof ReplicaCluster.start>[0], run: (c: ReplicaCluster) => Promise<void>): Promise<void> {
  const cluster = await ReplicaCluster.start(options);
  try {
    await run(cluster);
  } catch (e) {
    for (const r of cluster.replicas) console.log(`# ---- ${r.name} stderr ----\n${r.stderr().split('\n').slice(-40).join('\n')}`);
    throw e;
  } finally {
    await cluster.stop();
  }
}

describe('failure matrix', { timeout: 10 * 60_000 }, () => {
  test('(a) the leader is killed during a DoPut: the DoPut fails, another replica takes the writes', () =>
    withCluster({ zkNodes: 1 }, async (c) => {
      const leader = await c.waitForLeader();
      const w = new Workload(c, 't', 'a').start(3, 2);
      await w.acknowledged(5);
      let release!: () => void;
      const held = heldWrite(leader, w, 'a-held', new Promise((r) => (release = r)));
      await sleep(300);
      leader.kill();
      release();
      assert.equal(await held, false, 'a DoPut to a killed leader cannot be acknowledged');
      await c.waitForLeader([leader]);
      await w.acknowledged(5);
      await finish(c, w, '(a)');
    }));

  test('(b) the leader\'s session expires while it holds the commit lock: its commit fails, the others go on', async () => {
    const WRITERS = 3;
    // The first replica (the first leader) reaches ZooKeeper through a proxy that can hang.
    let proxy: FaultProxy | undefined;
    const connectFor = async (i: number, zk: { nodes: { clientPort: number }[]; connect: string }) => {
      if (i !== 0) return zk.connect;
      proxy = await FaultProxy.start(zk.nodes[0]!.clientPort);
      return proxy.connect;
    };
    try {
      await withCluster({ zkNodes: 1, connectFor }, async (c) => {
        const leader = c.replicas[0]!;
        assert.equal(await c.waitForLeader(), leader);
        const w = new Workload(c, 't', 'b').start(WRITERS, 2);
        await w.acknowledged(3);
        // The next publish multi of the leader (sent while it holds the table's commit lock)
        // goes nowhere, and nothing else does, until well past the session timeout.
        await proxy!.arm(MULTI, 'stall');
        const stalledAt = w.writes.acked.size;
        const next = await c.waitForLeader([leader]);
        await w.acknowledged(3);
        assert.ok(w.writes.acked.size > stalledAt);
        proxy!.thaw();
        await eventually(async () => {
          const r = await leader.report();
          return r.session === 'connected' && !r.is_leader && r.leader?.location === next.location;
        }, 'the old leader rejoins as a follower');
        await w.acknowledged(3);
        // Only the writes whose publish was cut off may go unanswered until their deadline (their
        // outcome is unknown until ZooKeeper answers again). Group commit publishes every commit
        // waiting at that moment in the one multi, so that is at most one per writer; writes
        // queued behind it for the commit lock are refused as soon as the replica stops leading.
        const unanswered = [...w.writes.errors.values()].filter((e) => /DEADLINE_EXCEEDED/.test(e));
        assert.ok(unanswered.length <= WRITERS, `writes left unanswered until their deadline: ${unanswered.join('; ')}`);
        await finish(c, w, '(b)');
      });
    } finally {
      await proxy?.close();
    }
  });

  test('(c) a leader paused past its session timeout has its in-flight commit refused and rejoins as a follower', () =>
    withCluster({ zkNodes: 1 }, async (c) => {
      const leader = await c.waitForLeader();
      const w = new Workload(c, 't', 'c').start(3, 2);
      await w.acknowledged(5);
      let release!: () => void;
      const held = heldWrite(leader, w, 'c-held', new Promise((r) => (release = r)));
      await sleep(300);
      leader.pause();
      const next = await c.waitForLeader([leader]);
      await w.acknowledged(3);
      await sleep(SESSION_MS);
      // The stream ends the moment the old leader runs again: before it has noticed anything.
      leader.resume();
      release();
      assert.equal(await held, false, 'the paused leader\'s commit must be refused');
      await eventually(async () => {
        const r = await leader.report();
        return r.session === 'connected' && !r.is_leader && r.leader?.location === next.location;
      }, 'the old leader rejoins as a follower');
      await w.acknowledged(5);
      await finish(c, w, '(c)');
    }));

  test('(d) the ZooKeeper member the leader talks to hangs: the leader lets go, writes go on', () =>
    withCluster({ zkNodes: 3 }, async (c) => {
      const leader = await c.waitForLeader();
      const w = new Workload(c, 't', 'd').start(3, 2);
      await w.acknowledged(5);
      const member = await c.memberServing(leader);
      member.freeze();
      try {
        await eventually(async () => /no heartbeat reply/.test(leader.stderr()), 'the leader notices the hung member by its heartbeat deadline');
        const before = w.writes.acked.size;
        await w.acknowledged(5);
        assert.ok(w.writes.acked.size > before);
      } finally {
        member.thaw();
      }
      await c.waitForLeader();
      await w.acknowledged(3);
      await finish(c, w, '(d)');
    }));

  test('(e) one ZooKeeper member down: writes go on; two down: writes fail fast, committed versions stay readable', () =>
    withCluster({ zkNodes: 3 }, async (c) => {
      await c.waitForLeader();
      const w = new Workload(c, 't', 'e').start(3, 2);
      await w.acknowledged(3);
      const [first, second] = c.zk.nodes;
      await first!.kill();
      const afterOne = w.writes.acked.size;
      await w.acknowledged(5);
      assert.ok(w.writes.acked.size > afterOne, 'writes go on with one member down');
      const committed = await c.replicas[0]!.client.getFlightInfo('t', { deadline: 10_000 });
      await second!.kill();
      // A commit in flight when the quorum went may end either way (its outcome is unknown
      // until ZooKeeper is back); once every replica has seen its session go, each refuses new
      // writes with UNAVAILABLE at once instead of holding them until the deadline, and still
      // serves the versions committed before.
      for (const r of c.replicas) await eventually(async () => (await r.report()).session === 'lost', `${r.name} gives its session up`);
      const ackedWithoutQuorum = w.writes.acked.size;
      for (const r of c.replicas) {
        const id = `e-noquorum-${r.name}`;
        const started = Date.now();
        const outcome = await w.writeOnce(r, id);
        assert.equal(outcome, false, `${r.name} acknowledged a write without a ZooKeeper quorum`);
        const error = w.writes.errors.get(id)!;
        console.log(`# (e) ${r.name} refused a write ${Date.now() - started} ms after it was sent: ${error}`);
        assert.match(error, /^UNAVAILABLE/, `${r.name} did not refuse a write without a quorum as UNAVAILABLE`);
      }
      for (const r of c.replicas) {
        const table = await r.client.readTable(committed, { deadline: 10_000 }).catch((e: FlightError) => e);
        assert.ok(!(table instanceof Error), `${r.name} cannot read committed version: ${table instanceof Error ? table.message : ''}`);
        assert.equal(table.numRows, Number(committed.totalRecords));
      }
      assert.equal(w.writes.acked.size, ackedWithoutQuorum, 'no write is acknowledged without a quorum');
      await first!.restart();
      await second!.restart();
      await c.zk.waitServing();
      await c.waitForLeader();
      await w.acknowledged(3);
      await finish(c, w, '(e)');
    }));

  test('(f) all of ZooKeeper restarts: writes resume afterwards', () =>
    withCluster({ zkNodes: 3 }, async (c) => {
      await c.waitForLeader();
      const w = new Workload(c, 't', 'f').start(3, 2);
      await w.acknowledged(5);
      await Promise.all(c.zk.nodes.map((n) => n.kill()));
      await sleep(1000);
      for (const n of c.zk.nodes) await n.restart();
      await c.zk.waitServing();
      const before = w.writes.acked.size;
      await w.acknowledged(5);
      assert.ok(w.writes.acked.size > before);
      await finish(c, w, '(f)');
    }));
});
