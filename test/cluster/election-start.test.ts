// A replica starting while ZooKeeper is briefly unreachable waits it out, and one that cannot
// reach it at all fails with a message that names the connect string and what to check. Issue
// 9's fault campaign found replicas exiting at start on the first CONNECTION_LOSS (ensurePath
// made each request once): a member restarting during a replica's start was enough.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { FlightClient } from '../../src/client/index.ts';
import { FaultProxy } from '../harness/fault-proxy.ts';
import { LinkProxy } from '../harness/link-proxy.ts';
import { startQuiver, tempDir, type QuiverProcess } from '../harness/quiver-process.ts';
import { startZooKeeper, type ZooKeeperCluster } from '../harness/zookeeper.ts';

const EXISTS = 3;

describe('replica start against an unsteady ZooKeeper', { timeout: 5 * 60_000 }, () => {
  let zk: ZooKeeperCluster;
  const procs: QuiverProcess[] = [];

  before(async () => {
    zk = await startZooKeeper();
  });

  after(async () => {
    for (const p of procs) await p.stop('SIGKILL');
    await zk?.stop();
  });

  const args = (connect: string) => ['--zk', connect, '--cluster', `start${randomUUID().slice(0, 8)}`, '--zk-session-timeout', '2s'];

  test('the connection is lost in the middle of the start (its first request): the replica retries and starts', async () => {
    const proxy = await FaultProxy.start(zk.nodes[0]!.clientPort);
    try {
      // The first request after the handshake is the start's first ensurePath exists(); it is
      // lost and the connection cut, as when the member restarts right then.
      const hit = proxy.arm(EXISTS, 'drop-request');
      const proc = await startQuiver(args(proxy.connect), tempDir());
      procs.push(proc);
      await hit;
      assert.match(proc.stderr(), /zookeeper request failed while starting; retrying/);
      // Started, and (a loaded machine may suspend a 2 s session now and then) connected.
      const client = new FlightClient(`grpc+tcp://${proc.address}`);
      try {
        let session = '';
        for (const deadline = Date.now() + 30_000; session !== 'connected' && Date.now() < deadline; ) {
          for await (const body of client.doAction('cluster-status', '', { deadline: 10_000 })) {
            session = (JSON.parse(Buffer.from(body).toString()) as { session: string }).session;
          }
          if (session !== 'connected') await new Promise((r) => setTimeout(r, 200));
        }
        assert.equal(session, 'connected');
      } finally {
        client.close();
      }
    } finally {
      await proxy.close();
    }
  });

  test('ZooKeeper unreachable for the whole start: the replica fails, naming the connect string and what to check', async () => {
    const link = await LinkProxy.start(zk.nodes[0]!.clientPort);
    link.sever('reset');
    try {
      await assert.rejects(startQuiver(args(link.address), tempDir()), (e: Error) => {
        assert.match(e.message, /quiver exited with 1 before listening/);
        assert.ok(e.message.includes(`ZooKeeper at ${link.address}`), e.message);
        assert.match(e.message, /check that the ZooKeeper members .* are running and reachable/);
        return true;
      });
    } finally {
      await link.close();
    }
  });
});
