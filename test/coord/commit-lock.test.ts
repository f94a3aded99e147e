import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { acquireLock } from '../../src/coord/zookeeper/commit-lock.ts';
import { EVENT_WAIT_MS, zooKeeperForSuite } from './zk-fixtures.ts';
import { FaultProxy } from '../harness/fault-proxy.ts';

const CREATE = 1;

describe('commit lock recipe', () => {
  const suite = zooKeeperForSuite(1);

  test('sessions acquire one at a time, in arrival order', async () => {
    const zk = await suite.ready();
    const sessions = await Promise.all([0, 1, 2, 3].map(() => suite.session(zk.connect)));
    const dir = '/locks-fifo/t';
    const order: number[] = [];
    let holders = 0;
    const first = await acquireLock(sessions[0]!, dir, EVENT_WAIT_MS);
    const waiting: Promise<void>[] = [];
    for (const i of [1, 2, 3]) {
      // Queue strictly one after another: each contender's node exists before the next starts.
      const before = (await sessions[0]!.getChildren(dir)).length;
      waiting.push(
        acquireLock(sessions[i]!, dir, EVENT_WAIT_MS).then(async (lock) => {
          holders += 1;
          assert.equal(holders, 1, 'two holders at once');
          order.push(i);
          await new Promise((r) => setTimeout(r, 20));
          holders -= 1;
          await lock.release();
        }),
      );
      while ((await sessions[0]!.getChildren(dir)).length === before) await new Promise((r) => setTimeout(r, 10));
    }
    await first.release();
    await Promise.all(waiting);
    assert.deepEqual(order, [1, 2, 3]);
    assert.deepEqual(await sessions[0]!.getChildren(dir), []);
  });

  test('a create whose reply is lost leaves exactly one lock node, and the lock is held', async () => {
    const zk = await suite.ready();
    const proxy = await FaultProxy.start(zk.nodes[0]!.clientPort);
    try {
      const s = await suite.session(proxy.connect);
      const dir = '/locks-lost-reply/t';
      await s.ensurePath(dir);
      const lost = proxy.arm(CREATE, 'drop-reply');
      const lock = await acquireLock(s, dir, EVENT_WAIT_MS);
      await lost;
      const children = await s.getChildren(dir);
      assert.equal(children.length, 1, `lock nodes: ${children.join(', ')}`);
      assert.equal(`${dir}/${children[0]}`, lock.path);
      assert.ok(lock.held());
      await lock.release();
      assert.deepEqual(await s.getChildren(dir), []);
    } finally {
      await proxy.close();
    }
  });
});
