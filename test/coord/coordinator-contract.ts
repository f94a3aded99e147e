// The Coordinator contract, run against every implementation (local-coordinator.test.ts,
// zookeeper-coordinator.test.ts): what storage relies on, nothing implementation-specific.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommitConflictError, type Coordinator, type TableCatalog } from '../../src/coord/coordinator.ts';

export type MakeCoordinator = () => Promise<Coordinator>;

export function coordinatorContract(make: MakeCoordinator): void {
  let n = 0;
  const table = (label: string) => `${label}/${++n}/ä b`;

  test('an unknown table has no head, no entries and is not listed', async () => {
    const c = await make();
    const t = table('unknown');
    assert.equal(await c.head(t), null);
    assert.equal(await c.entry(t, 1), null);
    assert.deepEqual(await c.entries(t), []);
    assert.ok(!(await c.tables()).includes(t));
  });

  test('publish appends entries one version at a time', async () => {
    const c = await make();
    const t = table('publish');
    assert.deepEqual(await c.publish(t, 0, 'manifests/1.json'), { version: 1, manifest: 'manifests/1.json' });
    assert.deepEqual(await c.publish(t, 1, 'manifests/2.json'), { version: 2, manifest: 'manifests/2.json' });
    assert.deepEqual(await c.head(t), { version: 2, manifest: 'manifests/2.json' });
    assert.deepEqual(await c.entry(t, 1), { version: 1, manifest: 'manifests/1.json' });
    assert.equal(await c.entry(t, 3), null);
    assert.deepEqual((await c.entries(t)).map((e) => e.version), [1, 2]);
    assert.ok((await c.tables()).includes(t));
  });

  test('publish against a stale expected version is a conflict and changes nothing', async () => {
    const c = await make();
    const t = table('conflict');
    await assert.rejects(c.publish(t, 1, 'm-x'), CommitConflictError);
    await c.publish(t, 0, 'm-1');
    await assert.rejects(c.publish(t, 0, 'm-y'), (e: unknown) => e instanceof CommitConflictError && e.expected === 0 && e.actual === 1);
    await assert.rejects(c.publish(t, 2, 'm-z'), CommitConflictError);
    assert.deepEqual(await c.entries(t), [{ version: 1, manifest: 'm-1' }]);
  });

  test('a dropped table has no head and starts again at version 1', async () => {
    const c = await make();
    const t = table('drop');
    await c.publish(t, 0, 'm-1');
    await c.publish(t, 1, 'm-2');
    await c.dropTable(t);
    assert.equal(await c.head(t), null);
    assert.deepEqual(await c.entries(t), []);
    assert.ok(!(await c.tables()).includes(t));
    await c.dropTable(t);
    assert.deepEqual(await c.publish(t, 0, 'm-new'), { version: 1, manifest: 'm-new' });
    assert.deepEqual(await c.entries(t), [{ version: 1, manifest: 'm-new' }]);
  });

  test('the catalog entry published with a version is the head\'s and is listed with it; a drop removes it', async () => {
    const c = await make();
    const t = table('catalog');
    const catalog = (version: number): TableCatalog => ({
      tableId: 'id-1', createdAt: '2026-01-01T00:00:00.000Z', committedAt: `2026-01-0${version}T00:00:00.000Z`,
      schema: Buffer.from(`schema ${version}`).toString('base64'), formats: ['parquet'], files: version, rows: 10 * version, arrowBytes: 100 * version,
    });
    await c.publish(t, 0, 'm-1', catalog(1));
    assert.deepEqual(await c.head(t), { version: 1, manifest: 'm-1', catalog: catalog(1) });
    await c.publish(t, 1, 'm-2', catalog(2));
    assert.deepEqual((await c.head(t))?.catalog, catalog(2));
    const other = `${t}/other`;
    await c.publish(other, 0, 'm-o');
    const listed = await c.listHeads(t);
    assert.deepEqual(listed, [{ table: t, head: { version: 2, manifest: 'm-2', catalog: catalog(2) } }, { table: other, head: { version: 1, manifest: 'm-o' } }]);
    assert.deepEqual((await c.listHeads(other)).map((h) => h.table), [other]);
    await c.dropTable(t);
    assert.deepEqual((await c.listHeads(t)).map((h) => h.table), [other]);
    await c.publish(t, 0, 'm-new');
    assert.deepEqual(await c.head(t), { version: 1, manifest: 'm-new' }, 'a re-created table does not inherit the dropped one\'s catalog');
  });

  test('the commit lock serializes one table and leaves others free', async () => {
    const c = await make();
    const t = table('lock');
    const first = await c.lockTable(t);
    let secondHeld = false;
    const second = c.lockTable(t).then((l) => {
      secondHeld = true;
      return l;
    });
    const other = await c.lockTable(table('lock-other'));
    await other.release();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(secondHeld, false, 'a second holder while the first has not released');
    await first.release();
    await (await second).release();
  });

  test('concurrent commits under the lock produce contiguous versions', async () => {
    const c = await make();
    const t = table('concurrent');
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const lock = await c.lockTable(t);
        try {
          const head = await c.head(t);
          await c.publish(t, head?.version ?? 0, `m-${i}`);
        } finally {
          await lock.release();
        }
      }),
    );
    const entries = await c.entries(t);
    assert.deepEqual(entries.map((e) => e.version), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(new Set(entries.map((e) => e.manifest)).size, 8);
  });

  test('publishVersions appends a group as one version each, in order, with its catalogs; a stale group is a conflict and changes nothing', async () => {
    const c = await make();
    const t = table('group');
    const cat = (rows: number): TableCatalog => ({ tableId: 'id', createdAt: null, committedAt: '2026-01-01T00:00:00.000Z', schema: '', formats: ['parquet'], files: 1, rows, arrowBytes: rows });
    assert.deepEqual(await c.publishVersions(t, 0, [{ manifest: 'm-1' }]), { entries: [{ version: 1, manifest: 'm-1' }] });
    const { entries, failure } = await c.publishVersions(t, 1, [{ manifest: 'm-2', catalog: cat(2) }, { manifest: 'm-3', catalog: cat(3) }, { manifest: 'm-4', catalog: cat(4) }]);
    assert.equal(failure, undefined);
    assert.deepEqual(entries.map((e) => [e.version, e.manifest]), [[2, 'm-2'], [3, 'm-3'], [4, 'm-4']]);
    assert.deepEqual(await c.head(t), { version: 4, manifest: 'm-4', catalog: cat(4) }, 'the head is the group\'s last version, with its catalog');
    assert.deepEqual((await c.entry(t, 3))?.catalog, cat(3), 'each version keeps its own catalog');
    await assert.rejects(c.publishVersions(t, 2, [{ manifest: 'm-x' }, { manifest: 'm-y' }]), (e: unknown) => e instanceof CommitConflictError && e.expected === 2 && e.actual === 4);
    assert.deepEqual((await c.entries(t)).map((e) => e.manifest), ['m-1', 'm-2', 'm-3', 'm-4']);
  });
}
