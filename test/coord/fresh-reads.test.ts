// Syncs before head reads are shared: concurrent readers ride on at most two syncs, and a
// reader never rides on a sync that was sent before it arrived.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FreshReads } from '../../src/coord/zookeeper/fresh-reads.ts';
import { zooKeeperForSuite } from './zk-fixtures.ts';

describe('fresh reads', () => {
  const suite = zooKeeperForSuite(1);

  test('concurrent barriers share syncs, and each waits for a sync sent after it arrived', async () => {
    const zk = await suite.ready();
    const session = await suite.session(zk.connect);
    const sent: number[] = [];
    const done: number[] = [];
    const fresh = new FreshReads(async () => {
      const n = sent.push(sent.length + 1);
      await session.sync('/');
      done.push(n);
    });
    const first = fresh.barrier().then(() => done.length);
    const arrivedDuringFirst = Array.from({ length: 20 }, () => fresh.barrier().then(() => done.length));
    assert.equal(await first, 1);
    // Those 20 resolve only after the second sync, which was sent after they arrived.
    assert.deepEqual(await Promise.all(arrivedDuringFirst), Array(20).fill(2));
    assert.equal(sent.length, 2, 'one sync for the first reader, one shared by the 20 that came while it was in flight');
    await fresh.barrier();
    assert.equal(sent.length, 3);
  });

  test('a sync fails with the session, as every request does', async () => {
    const zk = await suite.ready();
    const session = await suite.session(zk.connect);
    await session.sync('/');
    await session.close();
    await assert.rejects(session.sync('/'));
  });
});
