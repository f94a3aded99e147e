// The publish multi is fenced by the writer's election node, and a lost reply is resolved from
// the log, never guessed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CoordinationUnavailableError, NotLeaderError } from '../../src/coord/coordinator.ts';
import type { ZooKeeperCoordinator } from '../../src/coord/zookeeper/zookeeper-coordinator.ts';
import { EVENT_WAIT_MS, clusterName, zooKeeperForSuite } from './zk-fixtures.ts';
import { FaultProxy } from '../harness/fault-proxy.ts';

const MULTI = 14;

describe('fenced publish', () => {
  const suite = zooKeeperForSuite(1);

  /** Runs `check` with a leader whose ZooKeeper traffic passes through a fault proxy. */
  async function withProxiedLeader(check: (c: ZooKeeperCoordinator, proxy: FaultProxy) => Promise<void>): Promise<void> {
    const zk = await suite.ready();
    const proxy = await FaultProxy.start(zk.nodes[0]!.clientPort);
    try {
      const c = await suite.coordinator(proxy.connect, clusterName());
      await c.whenLeader(EVENT_WAIT_MS);
      await check(c, proxy);
    } finally {
      await proxy.close();
    }
  }

  test('a deposed leader that still believes it leads cannot publish', async () => {
    const zk = await suite.ready();
    const name = clusterName();
    const a = await suite.coordinator(zk.connect, name, 'a');
    await a.whenLeader(EVENT_WAIT_MS);
    const b = await suite.coordinator(zk.connect, name, 'b');
    await a.publish('t', 0, 'm-a1');
    // Depose a behind its back, as an expiry it has not noticed yet would.
    const admin = await suite.session(zk.connect);
    const dir = `/quiver/${name}/election`;
    const candidates = await admin.getChildren(dir);
    const owners = await Promise.all(candidates.map(async (n) => JSON.parse((await admin.getData(`${dir}/${n}`))!.data.toString()).id as string));
    await admin.remove(`${dir}/${candidates[owners.indexOf('a')]}`);
    await b.whenLeader(EVENT_WAIT_MS);
    assert.equal(a.cluster.status().isLeader, true, 'a has not noticed');
    await assert.rejects(a.publish('t', 1, 'm-a2'), NotLeaderError);
    assert.equal(a.cluster.status().isLeader, false);
    assert.deepEqual(await b.publish('t', 1, 'm-b2'), { version: 2, manifest: 'm-b2' });
    assert.deepEqual((await b.entries('t')).map((e) => e.manifest), ['m-a1', 'm-b2']);
  });

  test('a publish whose reply is lost is acknowledged because the log holds it', () => withProxiedLeader(async (c, proxy) => {
    await c.publish('t', 0, 'm-1');
    const lost = proxy.arm(MULTI, 'drop-reply');
    assert.deepEqual(await c.publish('t', 1, 'm-2'), { version: 2, manifest: 'm-2' });
    await lost;
    assert.deepEqual((await c.entries('t')).map((e) => e.manifest), ['m-1', 'm-2']);
  }));

  test('a publish whose request is lost fails, and the pointer is sealed so it cannot apply later', () => withProxiedLeader(async (c, proxy) => {
    await c.publish('t', 0, 'm-1');
    const lost = proxy.arm(MULTI, 'drop-request');
    await assert.rejects(c.publish('t', 1, 'm-2'), CoordinationUnavailableError);
    await lost;
    assert.deepEqual(await c.head('t'), { version: 1, manifest: 'm-1' });
    await c.whenLeader(EVENT_WAIT_MS);
    assert.deepEqual(await c.publish('t', 1, 'm-2-again'), { version: 2, manifest: 'm-2-again' });
  }));

  test('a lost publish reply on a brand-new table is resolved too', () => withProxiedLeader(async (c, proxy) => {
    const lost = proxy.arm(MULTI, 'drop-reply');
    assert.deepEqual(await c.publish('new', 0, 'm-1'), { version: 1, manifest: 'm-1' });
    await lost;
    await c.whenLeader(EVENT_WAIT_MS);
    const dropped = proxy.arm(MULTI, 'drop-request');
    await assert.rejects(c.publish('new2', 0, 'm-x'), CoordinationUnavailableError);
    await dropped;
    assert.equal(await c.head('new2'), null);
    await c.whenLeader(EVENT_WAIT_MS);
    assert.deepEqual(await c.publish('new2', 0, 'm-y'), { version: 1, manifest: 'm-y' });
  }));
});
