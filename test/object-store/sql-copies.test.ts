// Local copies for Flight SQL (src/storage/object-sql-copies.ts) on real files: a pinned copy is
// a hard link under the work root's tables/, its disk cache entry stays pinned (eviction passes
// it by, however much else is read) until the lease has run out and no file of its group is
// open in this process; a released copy's link is gone and its entry evictable again. The
// clock is the test's, so no assertion waits on time.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { DiskCache } from '../../src/object-store/disk-cache.ts';
import { FilesystemStore } from '../../src/object-store/filesystem-store.ts';
import { StorageLayout } from '../../src/storage/layout.ts';
import { ObjectFiles } from '../../src/storage/object-files.ts';
import { SqlCopies } from '../../src/storage/object-sql-copies.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const KIB = 1024;

async function setUp(cacheBytes: number) {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-sql-copies-'));
  dirs.push(base);
  const store = new FilesystemStore(path.join(base, 'bucket'));
  const cache = await DiskCache.open(store, path.join(base, 'objects'), cacheBytes);
  const layout = new StorageLayout(path.join(base, 'work'));
  const files = new ObjectFiles(layout, store, cache);
  const bytes = (i: number) => new Uint8Array(10 * KIB).fill(i);
  for (let i = 0; i < 6; i++) await store.putIfAbsent(files.key('t', `data/f${i}.parquet`), bytes(i));
  let clock = 1_000_000;
  const copies = new SqlCopies(files, layout.tablesRoot, 60_000, () => clock);
  return { cache, files, copies, layout, bytes, advance: (ms: number) => (clock += ms) };
}

test('pinned copies survive eviction while leased or open, and are released after', async () => {
  // Room for three of the six 10 KiB files.
  const { cache, files, copies, layout, bytes, advance } = await setUp(30 * KIB);
  try {
    const pinned = await copies.pin('t', ['data/f0.parquet', 'data/f1.parquet']);
    for (const p of pinned) assert.ok(p.startsWith(layout.tablesRoot + path.sep), p);
    assert.deepEqual(pinned.map((p) => fs.readFileSync(p)), [Buffer.from(bytes(0)), Buffer.from(bytes(1))]);
    // Other reads fill the cache over and over: only unpinned entries can go.
    for (let i = 2; i < 6; i++) (await cache.localCopy(files.key('t', `data/f${i}.parquet`))).release();
    assert.ok(cache.stats.evictions >= 3, JSON.stringify(cache.stats));
    assert.deepEqual(pinned.map((p) => fs.readFileSync(p)), [Buffer.from(bytes(0)), Buffer.from(bytes(1))]);
    const missesBefore = cache.stats.misses;
    assert.deepEqual(await copies.pin('t', ['data/f1.parquet']), [pinned[1]], 'the same name again: a parked plan is found again');
    assert.equal(cache.stats.misses, missesBefore, 'pinned again with no fetch');

    // The lease runs out while a scan has f1 open: its whole group (f0 too) stays.
    advance(61_000);
    const reading = fs.openSync(pinned[1]!, 'r');
    await copies.sweep();
    assert.equal(copies.held, 2);
    assert.ok(fs.existsSync(pinned[0]!));
    fs.closeSync(reading);
    advance(61_000);
    await copies.sweep();
    assert.equal(copies.held, 0);
    assert.ok(!fs.existsSync(pinned[0]!) && !fs.existsSync(pinned[1]!));
    // Unpinned now: reading the others evicts them.
    for (let i = 2; i < 6; i++) (await cache.localCopy(files.key('t', `data/f${i}.parquet`))).release();
    assert.ok(cache.stats.bytes <= 30 * KIB, JSON.stringify(cache.stats));
    // And a later pin fetches again, whole.
    const again = await copies.pin('t', ['data/f0.parquet']);
    assert.deepEqual(fs.readFileSync(again[0]!), Buffer.from(bytes(0)));
  } finally {
    await copies.close();
    await cache.close();
  }
});

test('a missing object is DATA_LOSS; files larger than the cache are downloads of their own', async () => {
  const { cache, copies, bytes } = await setUp(5 * KIB);
  try {
    await assert.rejects(copies.pin('t', ['data/gone.parquet']), (e: any) => e.code === 'DATA_LOSS' && /data\/gone\.parquet .*missing from the object store/.test(e.message));
    const [p] = await copies.pin('t', ['data/f3.parquet']);
    assert.deepEqual(fs.readFileSync(p!), Buffer.from(bytes(3)));
    await copies.close();
    assert.ok(!fs.existsSync(p!));
  } finally {
    await cache.close();
  }
});
