// Failure cases of the ZooKeeper coordinator on its own (no replica processes): what a writer
// does when it loses its role while commits wait for a table's lock.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NotLeaderError } from '../../src/coord/coordinator.ts';
import { EVENT_WAIT_MS, clusterName, zooKeeperForSuite } from '../coord/zk-fixtures.ts';

describe('coordinator failures', () => {
  const suite = zooKeeperForSuite(1);

  test('a commit waiting for the table lock is refused as soon as its replica stops leading', async () => {
    const zk = await suite.ready();
    const c = await suite.coordinator(zk.connect, clusterName(), 'a');
    await c.whenLeader(EVENT_WAIT_MS);
    const held = await c.lockTable('t');
    const waiting = c.lockTable('t');
    waiting.catch(() => undefined);
    // Let the waiter's contender node be created before its member hangs.
    await new Promise((r) => setTimeout(r, 300));
    const member = zk.nodes[0]!;
    member.freeze();
    try {
      // The heartbeat deadline suspends the session, which ends leadership; the waiter must
      // hear NotLeaderError then, not LockTimeoutError after the lock timeout.
      await assert.rejects(waiting, NotLeaderError);
    } finally {
      member.thaw();
    }
    // Failure matrix cases (d) and (e): the refused waiter's lock node, left while the session
    // was suspended, must not outlive it once the session comes back, or every later commit
    // queues behind it until the lock timeout.
    await held.release();
    await c.whenLeader(EVENT_WAIT_MS);
    const next = await c.lockTable('t');
    await next.release();
  });
});
