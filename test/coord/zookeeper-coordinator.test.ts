import { before, describe } from 'node:test';
import type { ZooKeeperCoordinator } from '../../src/coord/zookeeper/zookeeper-coordinator.ts';
import { coordinatorContract } from './coordinator-contract.ts';
import { EVENT_WAIT_MS, clusterName, zooKeeperForSuite } from './zk-fixtures.ts';

for (const nodes of [1, 3] as const) {
  describe(`ZooKeeperCoordinator contract (${nodes === 1 ? 'standalone' : '3-node ensemble'})`, () => {
    const suite = zooKeeperForSuite(nodes);
    let c: ZooKeeperCoordinator;
    before(async () => {
      const zk = await suite.ready();
      c = await suite.coordinator(zk.connect, clusterName());
      await c.whenLeader(EVENT_WAIT_MS);
    });
    coordinatorContract(async () => c);
  });
}
