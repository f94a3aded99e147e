// Names read from coordination state (the manifest a log entry or a ZooKeeper pointer names) and
// from manifests (data file paths) are joined to the table's directory to read, expire or
// collect files. A damaged or planted record naming a path outside it is refused, DATA_LOSS with
// a message, before anything is read or deleted: by readers, by expiry and by orphan collection.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { LocalCoordinator } from '../../src/coord/local-coordinator.ts';
import { entryFileName } from '../../src/coord/local/log-files.ts';
import { decodeLogEntry } from '../../src/coord/stored-records.ts';
import { decodePointer } from '../../src/coord/zookeeper/table-log-nodes.ts';
import { QuiverError } from '../../src/errors.ts';
import { expireTable } from '../../src/storage/maintenance/expiry.ts';
import { collectOrphans } from '../../src/storage/maintenance/orphan-gc.ts';
import { TableStore } from '../../src/storage/table-store.ts';
import { tableDirName } from '../../src/table-names.ts';
import { dataLossAt } from '../coord/data-loss.ts';
import { closeStore, part, put, tempStore } from './maintenance-fixtures.ts';

const ESCAPES = ['../../../outside.json', '/etc/passwd', 'manifests/../../t_other/manifests/x.json', 'manifests\\..\\..\\x.json', 'manifests//x.json', 'manifests/./x.json'];

describe('coordination records naming a manifest outside the table directory', () => {
  for (const manifest of ESCAPES) {
    test(`log entry naming ${JSON.stringify(manifest)}: DATA_LOSS`, () => {
      const where = '/data/log/t_t/00000000000000000001.json';
      assert.throws(() => decodeLogEntry(JSON.stringify({ version: 1, manifest }), where, 1), (e: unknown) => dataLossAt(where)(e) && /nothing was read or deleted/.test((e as Error).message));
    });
    test(`ZooKeeper pointer naming ${JSON.stringify(manifest)}: DATA_LOSS`, () => {
      const where = '/quiver/c/tables/t';
      assert.throws(() => decodePointer(Buffer.from(JSON.stringify({ name: 't', generation: 0, version: 1, manifest })), where), dataLossAt(where));
    });
  }
  test('names inside the directory still decode', () => {
    assert.equal(decodeLogEntry(JSON.stringify({ version: 1, manifest: 'manifests/0001-a.json' }), 'w', 1).manifest, 'manifests/0001-a.json');
  });
});

const store = tempStore();
const opened: TableStore[] = [];
after(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await closeStore(store);
});
const restart = () => {
  const s = new TableStore(store.root, new LocalCoordinator(store.layout.logRoot), store.staging, { parquetWorkers: 1, cacheBytes: 0 });
  opened.push(s);
  return s;
};
const entryFile = (table: string, v: number) => path.join(store.layout.logRoot, tableDirName(table), entryFileName(v));
const isRefused = (e: unknown) => e instanceof QuiverError && e.code === 'DATA_LOSS' && /refused before anything was read or deleted|nothing was read or deleted|cannot be read/.test(e.message);

describe('a data root whose records were planted', () => {
  test('an entry naming a manifest outside the data root: reading it is refused, and expiry deletes nothing', async () => {
    const table = 'planted-entry';
    const first = await put(store, table, part(1, [2]));
    await put(store, table, part(2, [2]));
    // A sentinel outside the data root that is a valid manifest, so nothing but the path check stops it.
    const sentinel = path.join(path.dirname(store.root), `${path.basename(store.root)}-sentinel.json`);
    fs.writeFileSync(sentinel, JSON.stringify(first));
    after(() => fs.rmSync(sentinel, { force: true }));
    const rel = path.relative(store.tableDir(table), sentinel);
    fs.writeFileSync(entryFile(table, 1), JSON.stringify({ version: 1, manifest: rel }));
    const fresh = restart();
    await assert.rejects(fresh.snapshot(table, 1), (e: unknown) => dataLossAt(entryFile(table, 1))(e));
    await assert.rejects(expireTable(fresh, table, { retentionMs: 0, now: Date.now() + 60_000 }), isRefused);
    assert.ok(fs.existsSync(sentinel), 'the file outside was not deleted');
    assert.ok(fs.existsSync(entryFile(table, 1)), 'the log was left alone');
    const gc = await collectOrphans(fresh, { graceMs: 0, now: Date.now() + 60_000 });
    assert.equal(gc.deletedFiles, 0);
    assert.ok(fs.existsSync(sentinel));
  });

  test('an entry naming a live data file as its manifest: refused, and expiry does not delete the data file', async () => {
    const table = 'planted-data-as-manifest';
    const first = await put(store, table, part(1, [2]));
    await put(store, table, part(2, [2]));
    const live = first.files[0]!.path;
    fs.writeFileSync(entryFile(table, 1), JSON.stringify({ version: 1, manifest: live }));
    const fresh = restart();
    await assert.rejects(fresh.snapshot(table, 1), isRefused);
    await assert.rejects(expireTable(fresh, table, { retentionMs: 0, now: Date.now() + 60_000 }), isRefused);
    assert.ok(fs.existsSync(store.layout.file(table, live)), 'the data file the current version reads is still there');
    assert.equal((await fresh.snapshot(table)).rows, 4);
  });

  test('a manifest naming a data file outside the table directory: refused when read, and nothing is read through it', async () => {
    const table = 'planted-data-path';
    await put(store, table, part(1, [2]));
    const [entry] = await store.coordinator.entries(table);
    const file = store.layout.file(table, entry!.manifest);
    const m = JSON.parse(fs.readFileSync(file, 'utf8'));
    m.files[0].path = `data/../../${tableDirName('planted-entry')}/${m.files[0].path}`;
    fs.writeFileSync(file, JSON.stringify(m));
    const fresh = restart();
    await assert.rejects(fresh.snapshot(table), (e: unknown) => dataLossAt(file)(e) && /is not a file of the table's data\/ directory/.test((e as Error).message));
    const gc = await collectOrphans(fresh, { graceMs: 0, now: Date.now() + 60_000, table });
    assert.ok(gc.errors.some((e) => e.table === table), JSON.stringify(gc));
    assert.equal(gc.deletedFiles, 0);
  });

  test('a manifest of another table planted in this one: refused', async () => {
    await put(store, 'donor', part(1, [2]));
    await put(store, 'host', part(2, [2]));
    const [donor] = await store.coordinator.entries('donor');
    const [host] = await store.coordinator.entries('host');
    fs.copyFileSync(store.layout.file('donor', donor!.manifest), store.layout.file('host', host!.manifest).replace(/\.json$/, '-x.json'));
    fs.writeFileSync(entryFile('host', 1), JSON.stringify({ version: 1, manifest: host!.manifest.replace(/\.json$/, '-x.json') }));
    await assert.rejects(restart().snapshot('host'), (e: unknown) => e instanceof QuiverError && e.code === 'DATA_LOSS' && /belongs to table "donor"/.test(e.message));
  });
});
