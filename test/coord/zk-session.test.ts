// The session layer against a real ZooKeeper: the library's version-0 transaction bug and our
// multi that does not have it; a frozen server seen through the heartbeat.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ZK, isZkCode } from '../../src/coord/zookeeper/zk-errors.ts';
import { nextState, zooKeeperForSuite } from './zk-fixtures.ts';

describe('ZooKeeper session layer', () => {
  const suite = zooKeeperForSuite(1);

  test('node-zookeeper-client turns a multi setData on version 0 into a blind write (the bug we work around)', async () => {
    const zk = await suite.ready();
    const s = await suite.session(zk.connect);
    await s.create('/v0-bug', Buffer.from('a'));
    await s.setData('/v0-bug', Buffer.from('b'), 0); // znode version is now 1
    const client = (s as unknown as { client: import('node-zookeeper-client').Client }).client;
    const txn = client.transaction().setData('/v0-bug', Buffer.from('blind'), 0);
    // If this ever rejects with BAD_VERSION the library is fixed and our own multi is optional.
    await new Promise<void>((resolve, reject) => txn.commit((e) => (e ? reject(e) : resolve())));
    assert.equal((await s.getData('/v0-bug'))?.data.toString(), 'blind', 'the library wrote although version 0 was expected and the node is at 1');
  });

  test('our multi is a real compare-and-set on version 0', async () => {
    const zk = await suite.ready();
    const s = await suite.session(zk.connect);
    await s.create('/v0-cas', Buffer.from('a'));
    await s.multi([{ op: 'setData', path: '/v0-cas', data: Buffer.from('b'), version: 0 }]);
    await assert.rejects(
      s.multi([{ op: 'setData', path: '/v0-cas', data: Buffer.from('c'), version: 0 }]),
      (e: unknown) => isZkCode(e, ZK.BAD_VERSION),
    );
    await assert.rejects(s.multi([{ op: 'check', path: '/v0-cas', version: 0 }]), (e: unknown) => isZkCode(e, ZK.BAD_VERSION));
    await assert.rejects(s.multi([{ op: 'remove', path: '/v0-cas', version: 0 }]), (e: unknown) => isZkCode(e, ZK.BAD_VERSION));
    assert.equal((await s.getData('/v0-cas'))?.data.toString(), 'b');
  });

  test('a frozen server makes the session SUSPENDED, then LOST, then a new session after it thaws', async () => {
    const zk = await suite.ready();
    const s = await suite.session(zk.connect);
    const before = s.sessionId;
    const suspended = nextState(s, 'suspended');
    const lost = nextState(s, 'lost');
    zk.nodes[0]!.freeze();
    try {
      await suspended;
      await lost;
    } finally {
      zk.nodes[0]!.thaw();
    }
    const back = await nextState(s, 'connected');
    assert.equal(back.newSession, true);
    assert.notEqual(s.sessionId, before);
    assert.ok(await s.exists('/'));
  });
});
