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
    const member = zk.nodes[0]!;
    member.freeze();
    try {
      // The heartbeat deadline suspends the session, which ends leadership; the waiter must
      // hear NotLeaderError then, not LockTimeoutError after the lock timeout.
      await assert.rejects(waiting, NotLeaderError);
    } finally {
      member.thaw();
      await held.release().catch(() => undefined);
    }
  });
});
