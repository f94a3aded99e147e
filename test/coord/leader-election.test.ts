import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NotLeaderError } from '../../src/coord/coordinator.ts';
import { EVENT_WAIT_MS, clusterName, eventually, nextState, zooKeeperForSuite } from './zk-fixtures.ts';
import type { ZooKeeperCoordinator } from '../../src/coord/zookeeper/zookeeper-coordinator.ts';

async function oneLeader(cs: ZooKeeperCoordinator[]): Promise<ZooKeeperCoordinator> {
  let leader: ZooKeeperCoordinator | undefined;
  await eventually(() => {
    const leaders = cs.filter((c) => c.cluster.status().isLeader);
    leader = leaders[0];
    return leaders.length === 1;
  }, 'exactly one leader');
  return leader!;
}

describe('leader election (3-node ensemble)', () => {
  const suite = zooKeeperForSuite(3);

  test('three replicas elect exactly one leader, and a follower takes over when its session closes', async () => {
    const zk = await suite.ready();
    const name = clusterName();
    const cs = [await suite.coordinator(zk.connect, name, 'a'), await suite.coordinator(zk.connect, name, 'b'), await suite.coordinator(zk.connect, name, 'c')];
    const first = await oneLeader(cs);
    assert.deepEqual((await cs[1]!.cluster.leader())?.id, first.cluster.status().self.id);
    assert.deepEqual((await cs[0]!.cluster.members()).map((m) => m.id).sort(), ['a', 'b', 'c']);
    const follower = cs.find((c) => c !== first)!;
    await assert.rejects(follower.publish('t', 0, 'm'), (e: unknown) => e instanceof NotLeaderError && e.leader?.id === first.cluster.status().self.id);
    await assert.rejects(follower.lockTable('t'), NotLeaderError);

    await first.close();
    const rest = cs.filter((c) => c !== first);
    const second = await oneLeader(rest);
    assert.deepEqual(await second.publish('t', 0, 'm-after-failover'), { version: 1, manifest: 'm-after-failover' });
    assert.deepEqual((await rest[0]!.cluster.members()).map((m) => m.id).sort(), rest.map((c) => c.cluster.status().self.id).sort());
  });
});

describe('leader election (standalone, frozen server)', () => {
  const suite = zooKeeperForSuite(1);

  test('the leader drops leadership when its server freezes and leads again on a new session after it thaws', async () => {
    const zk = await suite.ready();
    const c = await suite.coordinator(zk.connect, clusterName());
    await c.whenLeader(EVENT_WAIT_MS);
    const session = (c as unknown as { session: import('../../src/coord/zookeeper/session.ts').ZkSession }).session;
    const dropped = new Promise<void>((resolve) => {
      const off = c.cluster.onStatusChange((s) => {
        if (!s.isLeader) {
          off();
          resolve();
        }
      });
    });
    const lost = nextState(session, 'lost');
    zk.nodes[0]!.freeze();
    try {
      await dropped;
      assert.equal(c.cluster.status().isLeader, false);
      await assert.rejects(c.publish('frozen', 0, 'm'), NotLeaderError);
      await lost;
    } finally {
      zk.nodes[0]!.thaw();
    }
    await c.whenLeader(EVENT_WAIT_MS);
    assert.deepEqual(await c.publish('frozen', 0, 'm-after-thaw'), { version: 1, manifest: 'm-after-thaw' });
  });
});
