// Maintenance changes the version log only as the leader, in fenced multis, and deletes files
// only after the ensemble confirms the leadership: a follower cannot expire, and neither can a
// leader deposed behind its back (it still believes it leads), nor can its maintenance run.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { NotLeaderError } from '../../src/coord/coordinator.ts';
import type { ZooKeeperCoordinator } from '../../src/coord/zookeeper/zookeeper-coordinator.ts';
import type { ZkSession } from '../../src/coord/zookeeper/session.ts';
import { QuiverError } from '../../src/errors.ts';
import { MaintenanceRunner } from '../../src/storage/maintenance/runner.ts';
import { TableStore } from '../../src/storage/table-store.ts';
import { age, part, put, quietLog } from '../storage/maintenance-fixtures.ts';
import { EVENT_WAIT_MS, clusterName, zooKeeperForSuite } from './zk-fixtures.ts';

/** Removes `id`'s election node with another session, as an expiry `id` has not noticed would. */
async function depose(admin: ZkSession, cluster: string, id: string): Promise<void> {
  const dir = `/quiver/${cluster}/election`;
  const candidates = await admin.getChildren(dir);
  const owners = await Promise.all(candidates.map(async (n) => JSON.parse((await admin.getData(`${dir}/${n}`))!.data.toString()).id as string));
  await admin.remove(`${dir}/${candidates[owners.indexOf(id)]}`);
}

async function publishVersions(c: ZooKeeperCoordinator, table: string, n: number): Promise<void> {
  for (let v = 1; v <= n; v++) await c.publish(table, v - 1, `m-${v}`);
}

describe('fenced maintenance', () => {
  const suite = zooKeeperForSuite(1);
  const roots: string[] = [];
  after(() => {
    for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  });

  /** Replica a leads a new cluster, b follows, and a has published versions 1..n of table t. */
  async function leaderAndFollower(versions: number) {
    const zk = await suite.ready();
    const name = clusterName();
    const a = await suite.coordinator(zk.connect, name, 'a');
    await a.whenLeader(EVENT_WAIT_MS);
    const b = await suite.coordinator(zk.connect, name, 'b');
    await publishVersions(a, 't', versions);
    return { zk, name, a, b };
  }

  test('the leader expires superseded versions, never the head; every replica sees the shorter log', async () => {
    const { a, b } = await leaderAndFollower(4);
    assert.deepEqual(await a.expire('t', [2, 1]), [1, 2]);
    assert.deepEqual((await b.entries('t')).map((e) => e.version), [3, 4]);
    assert.equal(await b.entry('t', 1), null);
    assert.deepEqual(await a.expire('t', [1, 2]), [], 'already expired versions are skipped');
    await assert.rejects(a.expire('t', [3, 4]), (e: unknown) => e instanceof QuiverError && e.code === 'FAILED_PRECONDITION');
    assert.deepEqual((await b.entries('t')).map((e) => e.version), [3, 4], 'a request naming the head removes nothing');
    assert.deepEqual(await a.publish('t', 4, 'm-5'), { version: 5, manifest: 'm-5' }, 'commits go on after expiry');
    await a.confirmWriter('test');
  });

  test('a follower cannot expire or confirm itself as writer', async () => {
    const { a, b } = await leaderAndFollower(3);
    await assert.rejects(b.expire('t', [1]), NotLeaderError);
    await assert.rejects(b.confirmWriter('delete files'), NotLeaderError);
    assert.deepEqual((await a.entries('t')).map((e) => e.version), [1, 2, 3]);
  });

  test('a deposed leader that still believes it leads cannot expire; its successor can', async () => {
    const { zk, name, a, b } = await leaderAndFollower(3);
    await depose(await suite.session(zk.connect), name, 'a');
    await b.whenLeader(EVENT_WAIT_MS);
    assert.equal(a.cluster.status().isLeader, true, 'a has not noticed');
    await assert.rejects(a.expire('t', [1]), NotLeaderError);
    assert.equal(a.cluster.status().isLeader, false, 'the failed fence made a step down');
    assert.deepEqual((await b.entries('t')).map((e) => e.version), [1, 2, 3]);
    assert.deepEqual(await b.expire('t', [1]), [1]);
  });

  test('a deposed leader\'s confirmWriter fails although it believes it leads', async () => {
    const zk = await suite.ready();
    const name = clusterName();
    const a = await suite.coordinator(zk.connect, name, 'a');
    await a.whenLeader(EVENT_WAIT_MS);
    await depose(await suite.session(zk.connect), name, 'a');
    assert.equal(a.cluster.status().isLeader, true);
    await assert.rejects(a.confirmWriter('delete orphaned files'), NotLeaderError);
  });

  test('a deposed leader\'s maintenance run stops before changing the log or deleting a file', async () => {
    const zk = await suite.ready();
    const name = clusterName();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-maint-zk-'));
    roots.push(root);
    const a = await suite.coordinator(zk.connect, name, 'a');
    await a.whenLeader(EVENT_WAIT_MS);
    const store = new TableStore(root, a, { compression: 'zstd', rowGroupRows: 1_000_000, maxBufferedBytes: 1 << 26 }, { parquetWorkers: 1 });
    try {
      await put(store, 't', part(1, [3]));
      await put(store, 't', part(2, [3]), 'overwrite');
      const orphan = path.join(store.tableDir('t'), 'data', 'orphan.parquet');
      fs.writeFileSync(orphan, 'x');
      age(orphan, 10_000);
      await new Promise((r) => setTimeout(r, 20));
      const runner = new MaintenanceRunner(store, { retentionMs: 1, gcGraceMs: 1000, compaction: { smallFileBytes: 1 << 20, minSmallFiles: 2 } }, quietLog());
      await depose(await suite.session(zk.connect), name, 'a');
      await assert.rejects(runner.run({}), NotLeaderError);
      assert.ok(fs.existsSync(orphan));
      const b = await suite.coordinator(zk.connect, name, 'b');
      assert.deepEqual((await b.entries('t')).map((e) => e.version), [1, 2]);
    } finally {
      await store.close();
    }
  });
});
