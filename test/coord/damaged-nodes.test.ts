// A damaged node in a real ZooKeeper (a pointer, a log node, an election node) reaches the
// coordinator's callers as DATA_LOSS naming the node, not as a JSON error that becomes INTERNAL;
// a damaged table pointer fails only that table (its reads say how to repair it), never the
// listing or the other tables, and the server log names it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import zookeeper from 'node-zookeeper-client';
import { ZnodeLayout } from '../../src/coord/zookeeper/znode-layout.ts';
import { ZooKeeperCoordinator } from '../../src/coord/zookeeper/zookeeper-coordinator.ts';
import { dataLossAt } from './data-loss.ts';
import { EVENT_WAIT_MS, SESSION_TIMEOUT_MS, clusterName, zooKeeperForSuite } from './zk-fixtures.ts';

describe('damaged ZooKeeper nodes', () => {
  const suite = zooKeeperForSuite(1);

  test('a damaged pointer node: head, entries and publish answer DATA_LOSS; the listing leaves that table out', async () => {
    const zk = await suite.ready();
    const name = clusterName();
    const c = await suite.coordinator(zk.connect, name);
    await c.whenLeader(EVENT_WAIT_MS);
    const layout = new ZnodeLayout(name);
    const raw = await suite.session(zk.connect);
    await raw.create(layout.pointer('t'), Buffer.from('{"name":"t","generation":0,"ver'));
    await assert.rejects(c.head('t'), dataLossAt(layout.pointer('t')));
    await assert.rejects(c.entries('t'), dataLossAt(layout.pointer('t')));
    assert.deepEqual(await c.listHeads(), [], 'the listing goes on without it');
    await assert.rejects(c.publish('t', 0, 'm'), dataLossAt(layout.pointer('t')));
  });

  test('a damaged pointer of one table: the other tables list and read, its reads say how to repair it, the server log names it once', async () => {
    const zk = await suite.ready();
    const name = clusterName();
    const logged: Array<{ message: string; fields?: Record<string, unknown> }> = [];
    const c = await ZooKeeperCoordinator.start({ connect: zk.connect, cluster: name, self: { id: 'a', location: 'grpc+tcp://127.0.0.1:1' }, sessionTimeoutMs: SESSION_TIMEOUT_MS, log: (message, fields) => logged.push({ message, ...(fields ? { fields } : {}) }) });
    try {
      await c.whenLeader(EVENT_WAIT_MS);
      const layout = new ZnodeLayout(name);
      await c.publish('good', 0, 'manifests/g1.json');
      await c.publish('bad', 0, 'manifests/b1.json');
      await c.publish('bad', 1, 'manifests/b2.json');
      const raw = await suite.session(zk.connect);
      const path = layout.pointer('bad');
      await raw.setData(path, Buffer.from('{"name":"bad","generation":0,"ver'), -1);
      assert.deepEqual((await c.listHeads()).map((h) => h.table), ['good'], 'the listing keeps every other table');
      assert.deepEqual(await c.tables(), ['good']);
      assert.equal((await c.head('good'))?.manifest, 'manifests/g1.json');
      assert.equal((await c.publish('good', 1, 'manifests/g2.json')).version, 2, 'other tables take commits');
      for (const read of [() => c.head('bad'), () => c.entries('bad'), () => c.entry('bad', 1), () => c.publish('bad', 2, 'm')]) {
        await assert.rejects(read(), (e: unknown) => {
          dataLossAt(path)(e);
          const message = (e as Error).message;
          assert.match(message, /^table "bad" cannot be read: the table pointer node at ZooKeeper \S+ is damaged: it is not JSON/);
          // The repair is spelled out: the head its newest log node records.
          assert.ok(message.includes(`set ${path} '{"name":"bad","generation":0,"version":2,"manifest":"manifests/b2.json"}'`), message);
          assert.ok(message.includes('Other tables are not affected'), message);
          return true;
        });
      }
      const about = logged.filter((l) => l.fields?.node === path);
      assert.equal(about.length, 1, `logged once, by the listing that left it out: ${JSON.stringify(logged)}`);
      assert.match(about[0]!.message, /left table node \S+ out of the listing/);
      // The advised repair brings the table back as it was.
      await raw.setData(path, Buffer.from(JSON.stringify({ name: 'bad', generation: 0, version: 2, manifest: 'manifests/b2.json' })), -1);
      assert.deepEqual((await c.entries('bad')).map((e) => e.manifest), ['manifests/b1.json', 'manifests/b2.json']);
      assert.deepEqual((await c.listHeads()).map((h) => h.table), ['bad', 'good']);
    } finally {
      await c.close();
    }
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
