// Group commit against a real 3-node ZooKeeper ensemble: commits to one table that wait for the
// table's lock are published together in one fenced multi, one version each, and every writer
// hears only its own outcome — acknowledged exactly when its version is in the log, refused
// without taking its batch-mates down when its own plan refuses, and never acknowledged when
// the group's publish fails (a lost compare-and-set, a leader deposed mid-group).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { NotLeaderError, type Coordinator, type LogEntry } from '../../src/coord/coordinator.ts';
import type { ZooKeeperCoordinator } from '../../src/coord/zookeeper/zookeeper-coordinator.ts';
import { ZnodeLayout } from '../../src/coord/zookeeper/znode-layout.ts';
import { QuiverError } from '../../src/errors.ts';
import { writePlan, type CommitOutcome, type CommitPlan, type ConflictPolicy } from '../../src/storage/commit.ts';
import { schemaBytes } from '../../src/storage/manifest.ts';
import { TableStore } from '../../src/storage/table-store.ts';
import { FaultProxy } from '../harness/fault-proxy.ts';
import { part, put } from '../storage/maintenance-fixtures.ts';
import { EVENT_WAIT_MS, clusterName, zooKeeperForSuite } from './zk-fixtures.ts';

const MULTI = 14;

describe('group commit (3-node ensemble)', () => {
  const suite = zooKeeperForSuite(3);
  const stores: TableStore[] = [];
  after(async () => {
    for (const s of stores) {
      await s.close();
      fs.rmSync(s.root, { recursive: true, force: true });
    }
  });

  /** A leader, a store committing through it (with a hook run right before each group publish), an admin session. */
  async function setUp(connect?: string) {
    const zk = await suite.ready();
    const name = clusterName();
    const c = await suite.coordinator(connect ?? zk.connect, name, 'a');
    await c.whenLeader(EVENT_WAIT_MS);
    const hook: { beforePublish: (() => Promise<void>) | null } = { beforePublish: null };
    // The real coordinator, with publishVersions preceded by the test's hook.
    const hooked = Object.create(c) as ZooKeeperCoordinator;
    hooked.publishVersions = async (...args) => {
      const run = hook.beforePublish;
      hook.beforePublish = null;
      await run?.();
      return c.publishVersions(...args);
    };
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-group-'));
    const store = new TableStore(root, hooked as Coordinator, { compression: 'zstd', rowGroupRows: 1_000_000, maxBufferedBytes: 64 * 1024 * 1024 }, { parquetWorkers: 1 });
    stores.push(store);
    return { zk, name, c, store, hook, layout: new ZnodeLayout(name), admin: await suite.session(zk.connect) };
  }

  /**
   * Queues one commit per plan while the test holds the table's lock, so that all of them wait
   * and go in one group, in this order; resolves with each commit's outcome or error.
   */
  async function oneGroup(c: Coordinator, store: TableStore, table: string, plans: Array<{ plan: CommitPlan; policy?: ConflictPolicy }>): Promise<Array<CommitOutcome | Error>> {
    const held = await c.lockTable(table);
    const pending = await Promise.all(plans.map(() => store.commits.begin(table)));
    const outcomes = plans.map(({ plan, policy }, i) => pending[i]!.commit(plan, policy ?? 'fail').catch((e: Error) => e));
    await held.release();
    return Promise.all(outcomes);
  }

  const pointerVersion = async (admin: Awaited<ReturnType<typeof suite.session>>, layout: ZnodeLayout, table: string) => (await admin.getData(layout.pointer(table)))!.stat.version;
  const manifests = (entries: LogEntry[]) => entries.map((e) => e.manifest);

  test('64 concurrent writers: each acknowledged write is in the log exactly once, versions contiguous, fewer publishes than commits', async () => {
    const { c, store, admin, layout } = await setUp();
    await put(store, 'many', part(0, [5]));
    const zversion = await pointerVersion(admin, layout, 'many');
    const acknowledged = await Promise.all(Array.from({ length: 64 }, (_, w) => put(store, 'many', part(w + 1, [3]))));
    const entries = await c.entries('many');
    assert.deepEqual(entries.map((e) => e.version), Array.from({ length: 65 }, (_, i) => i + 1), 'contiguous versions, one per commit');
    const versions = acknowledged.map((m) => m.version).sort((a, b) => a - b);
    assert.deepEqual(versions, Array.from({ length: 64 }, (_, i) => i + 2), 'every writer acknowledged with its own version');
    const head = await store.snapshot('many');
    assert.equal(head.rows, 5 + 64 * 3, 'every acknowledged row once');
    for (const m of acknowledged) {
      // The version a writer was acknowledged with is the one its own manifest was published as.
      assert.equal((await store.snapshot('many', m.version)).committedAt, m.committedAt);
      assert.equal(m.added.rows, 3);
      for (const f of m.files.slice(-m.added.files)) assert.ok(head.files.some((h) => h.path === f.path), `version ${m.version}'s own file is in the head`);
    }
    const moves = (await pointerVersion(admin, layout, 'many')) - zversion;
    assert.ok(moves < 64, `the pointer moved ${moves} times for 64 commits: commits were grouped`);
  });

  test('a commit whose plan refuses or gives up leaves its batch-mates committed, one version each, in one multi', async () => {
    const { c, store, admin, layout } = await setUp();
    await put(store, 't', part(0, [2]));
    const header = schemaBytes(await store.snapshot('t'));
    const append = writePlan('append', header);
    const zversion = await pointerVersion(admin, layout, 't');
    const outcomes = await oneGroup(c, store, 't', [
      { plan: append },
      { plan: append },
      { plan: () => { throw new QuiverError('INVALID_ARGUMENT', 'refused by its own plan'); } },
      { plan: () => ({ giveUp: 'nothing to do' }), policy: 'give-up' },
      { plan: append },
    ]);
    const versionOf = (o: CommitOutcome | Error) => (o instanceof Error ? o.message : o.committed ? o.manifest.version : `gave up: ${o.reason}`);
    assert.deepEqual(outcomes.map(versionOf), [2, 3, 'refused by its own plan', 'gave up: nothing to do', 4]);
    assert.equal(await pointerVersion(admin, layout, 't'), zversion + 1, 'three versions, one pointer move');
    const entries = await c.entries('t');
    assert.deepEqual(entries.map((e) => e.version), [1, 2, 3, 4]);
    assert.equal(new Set(manifests(entries)).size, 4, 'each version its own manifest');
    // Each version's manifest is the one its writer was acknowledged with.
    for (const o of outcomes) if (!(o instanceof Error) && o.committed) assert.deepEqual((await store.snapshot('t', o.manifest.version)).committedAt, o.manifest.committedAt);
  });

  test('a group that loses its compare-and-set acknowledges nobody: "fail" writers get ABORTED, "give-up" ones give up, their files are gone', async () => {
    const { c, store, admin, layout, hook } = await setUp();
    await put(store, 't', part(0, [2]));
    const header = schemaBytes(await store.snapshot('t'));
    const manifestsBefore = fs.readdirSync(path.join(store.tableDir('t'), 'manifests')).sort();
    // Another writer's version 2 lands between the group's head read and its multi.
    hook.beforePublish = async () => {
      const other = { name: 't', generation: 0, version: 2, manifest: 'manifests/other.json' };
      await admin.setData(layout.pointer('t'), Buffer.from(JSON.stringify(other)), -1);
      await admin.create(layout.logEntry('t', 0, 2), Buffer.from(JSON.stringify({ version: 2, manifest: other.manifest })));
    };
    const outcomes = await oneGroup(c, store, 't', [{ plan: writePlan('append', header) }, { plan: writePlan('append', header), policy: 'give-up' }, { plan: writePlan('append', header) }]);
    assert.ok(outcomes[0] instanceof QuiverError && outcomes[0].code === 'ABORTED', String(outcomes[0]));
    assert.ok(!(outcomes[1] instanceof Error) && !outcomes[1]!.committed, 'the give-up commit gave up');
    assert.ok(outcomes[2] instanceof QuiverError && outcomes[2].code === 'ABORTED', String(outcomes[2]));
    assert.deepEqual((await c.entries('t')).map((e) => e.manifest).slice(1), ['manifests/other.json'], 'nothing of the group published');
    assert.deepEqual(fs.readdirSync(path.join(store.tableDir('t'), 'manifests')).sort(), manifestsBefore, 'the group\'s manifests are removed');
  });

  test('a leader deposed mid-group publishes nothing; the new leader goes on with contiguous versions', async () => {
    const { c, store, admin, name, hook } = await setUp();
    await put(store, 't', part(0, [2]));
    const header = schemaBytes(await store.snapshot('t'));
    const b = await suite.coordinator((await suite.ready()).connect, name, 'b');
    hook.beforePublish = async () => {
      // Depose a behind its back (as an expiry it has not noticed yet would) and let b lead.
      const dir = `/quiver/${name}/election`;
      for (const n of await admin.getChildren(dir)) {
        if (JSON.parse((await admin.getData(`${dir}/${n}`))!.data.toString()).id === 'a') await admin.remove(`${dir}/${n}`);
      }
      await b.whenLeader(EVENT_WAIT_MS);
    };
    const outcomes = await oneGroup(c, store, 't', [{ plan: writePlan('append', header) }, { plan: writePlan('append', header) }, { plan: writePlan('append', header), policy: 'give-up' }]);
    for (const o of outcomes) assert.ok(o instanceof NotLeaderError, `not acknowledged: ${String(o instanceof Error ? o : JSON.stringify(o))}`);
    assert.deepEqual((await b.entries('t')).map((e) => e.version), [1], 'nothing of the group published');
    assert.deepEqual(await b.publish('t', 1, 'manifests/by-b.json'), { version: 2, manifest: 'manifests/by-b.json' });
    assert.deepEqual((await b.entries('t')).map((e) => e.version), [1, 2]);
  });

  test('a group whose multi reply is lost is acknowledged whole: the log holds every version of it', async () => {
    const zk = await suite.ready();
    const proxy = await FaultProxy.start(zk.nodes[0]!.clientPort);
    try {
      const { c, store } = await setUp(proxy.connect);
      await put(store, 't', part(0, [2]));
      const header = schemaBytes(await store.snapshot('t'));
      const lost = proxy.arm(MULTI, 'drop-reply');
      const outcomes = await oneGroup(c, store, 't', [{ plan: writePlan('append', header) }, { plan: writePlan('append', header) }, { plan: writePlan('append', header) }]);
      await lost;
      assert.deepEqual(outcomes.map((o) => (o instanceof Error ? o.message : o.committed && o.manifest.version)), [2, 3, 4]);
      assert.deepEqual((await c.entries('t')).map((e) => e.version), [1, 2, 3, 4]);
    } finally {
      await proxy.close();
    }
  });
});
