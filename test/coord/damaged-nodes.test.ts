// A damaged node in a real ZooKeeper (a pointer, a log node, an election node) reaches the
// coordinator's callers as DATA_LOSS naming the node, not as a JSON error that becomes INTERNAL.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import zookeeper from 'node-zookeeper-client';
import { ZnodeLayout } from '../../src/coord/zookeeper/znode-layout.ts';
import { dataLossAt } from './data-loss.ts';
import { EVENT_WAIT_MS, clusterName, zooKeeperForSuite } from './zk-fixtures.ts';

describe('damaged ZooKeeper nodes', () => {
  const suite = zooKeeperForSuite(1);

  test('a damaged pointer node: head, entries and the listing answer DATA_LOSS', async () => {
    const zk = await suite.ready();
    const name = clusterName();
    const c = await suite.coordinator(zk.connect, name);
    await c.whenLeader(EVENT_WAIT_MS);
    const layout = new ZnodeLayout(name);
    const raw = await suite.session(zk.connect);
    await raw.create(layout.pointer('t'), Buffer.from('{"name":"t","generation":0,"ver'));
    await assert.rejects(c.head('t'), dataLossAt(layout.pointer('t')));
    await assert.rejects(c.entries('t'), dataLossAt(layout.pointer('t')));
    await assert.rejects(c.listHeads(), dataLossAt(layout.pointer('t')));
    await assert.rejects(c.publish('t', 0, 'm'), dataLossAt(layout.pointer('t')));
  });

  test('a damaged log node: entry and entries answer DATA_LOSS, the head still reads', async () => {
    const zk = await suite.ready();
    const name = clusterName();
    const c = await suite.coordinator(zk.connect, name);
    await c.whenLeader(EVENT_WAIT_MS);
    const layout = new ZnodeLayout(name);
    await c.publish('t', 0, 'v1.json');
    await c.publish('t', 1, 'v2.json');
    const raw = await suite.session(zk.connect);
    await raw.setData(layout.logEntry('t', 0, 1), Buffer.from('{"version":1}'), -1);
    await assert.rejects(c.entry('t', 1), dataLossAt(layout.logEntry('t', 0, 1)));
    await assert.rejects(c.entries('t'), dataLossAt(layout.logEntry('t', 0, 1)));
    assert.equal((await c.head('t'))?.manifest, 'v2.json');
  });

  test('a damaged election node: members answers DATA_LOSS naming it', async () => {
    const zk = await suite.ready();
    const name = clusterName();
    const c = await suite.coordinator(zk.connect, name);
    await c.whenLeader(EVENT_WAIT_MS);
    const raw = await suite.session(zk.connect);
    const stray = await raw.create(`${new ZnodeLayout(name).election}/_c_stray-n_`, Buffer.from('not json'), zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL);
    await assert.rejects(c.cluster.members(), dataLossAt(stray));
    await raw.remove(stray);
    assert.equal((await c.cluster.members()).length, 1);
  });
});
