// Read-your-writes across replicas: a read that starts after a write was acknowledged, on any
// replica, sees that write, even when the reading replica's ZooKeeper member lags behind the
// ensemble. The lag is made, not hoped for: the follower's member is paused while the leader
// commits through another member, and the read is sent before it runs again.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fourLetterWord } from '../harness/zookeeper.ts';
import { ReplicaCluster } from '../harness/cluster-replicas.ts';
import { WRITE_ROWS, writeTable } from '../harness/cluster-workload.ts';

const ROUNDS = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('read-your-writes on followers', { timeout: 5 * 60_000 }, () => {
  test('a follower on a lagging ZooKeeper member still sees every acknowledged write', async () => {
    let readerMember = 0;
    const cluster = await ReplicaCluster.start({
      zkNodes: 3,
      replicas: 2,
      // Long enough that pausing the follower's member for a moment does not suspend its session.
      sessionTimeout: '8s',
      connectFor: async (i, zk) => {
        // The reader's member must be a ZooKeeper follower (the writes still commit without
        // it); the writer talks to any other member.
        if (i === 0) {
          const modes = await Promise.all(zk.nodes.map((n) => fourLetterWord(n.clientPort, 'srvr')));
          readerMember = modes.findIndex((m) => /Mode: follower/.test(m));
          return zk.nodes[(readerMember + 1) % 3]!.connect;
        }
        return zk.nodes[readerMember]!.connect;
      },
    });
    try {
      const [writer, reader] = cluster.replicas as [typeof cluster.replicas[0], typeof cluster.replicas[0]];
      assert.equal(await cluster.waitForLeader(), writer);
      const lagging = cluster.zk.nodes[readerMember]!;
      await writer.client.doPut('t', writeTable('first'));
      for (let round = 1; round <= ROUNDS; round++) {
        lagging.freeze();
        let read: Promise<number>;
        try {
          await writer.client.doPut('t', writeTable(`round-${round}`), { deadline: 10_000 });
          // Sent while the reader's member is paused: it reaches the member before (or with)
          // the commit it has not applied yet.
          read = reader.client.getFlightInfo('t', { deadline: 20_000 }).then((info) => Number(info.totalRecords));
          read.catch(() => undefined);
          await sleep(300);
        } finally {
          lagging.thaw();
        }
        assert.equal(await read, (round + 1) * WRITE_ROWS, `round ${round}: the follower did not see the write acknowledged before its read started`);
      }
    } catch (e) {
      for (const r of cluster.replicas) console.log(`# ---- ${r.name} stderr ----\n${r.stderr().split('\n').slice(-30).join('\n')}`);
      throw e;
    } finally {
      await cluster.stop();
    }
  });
});
