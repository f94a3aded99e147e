// The disk cache in front of an object store, on real files: what it serves without asking the
// store, that concurrent readers of one missing range cause one fetch, that it stays within its
// bytes by dropping the least recently used, and that nothing partial is ever served, whether
// a download fails or a crash left pieces behind. The store under it is the filesystem store
// behind a wrapper that counts (and, when asked, holds or fails) its gets.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, beforeEach, test } from 'node:test';
import { QuiverError } from '../../src/errors.ts';
import { DiskCache } from '../../src/object-store/disk-cache.ts';
import { FilesystemStore } from '../../src/object-store/filesystem-store.ts';
import type { GetOptions, ObjectStore } from '../../src/object-store/object-store.ts';
import { pattern } from './store-contract.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A filesystem store whose gets are counted and can be held (gate) or made to fail (failAfter). */
class WatchedStore {
  gets: string[] = [];
  gate: Promise<void> | undefined;
  failAfter: number | undefined;
  readonly inner: FilesystemStore;
  readonly store: ObjectStore;
  constructor(root: string) {
    this.inner = new FilesystemStore(root);
    this.store = Object.create(this.inner, {
      get: {
        value: async (key: string, options?: GetOptions) => {
          this.gets.push(`${key} ${JSON.stringify(options?.range ?? null)}`);
          if (this.failAfter !== undefined && this.gets.length > this.failAfter) throw new QuiverError('UNAVAILABLE', 'the store went away');
          await this.gate;
          return this.inner.get(key, options);
        },
      },
    }) as ObjectStore;
  }
}

let root = '';
let cacheDir = '';
let watched: WatchedStore;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-cache-store-'));
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-cache-'));
  dirs.push(root, cacheDir);
  watched = new WatchedStore(root);
});

const entryFiles = () => fs.readdirSync(path.join(cacheDir, 'entries')).sort();

test('a range is fetched once and then served from disk, a suffix included once the size is known', async () => {
  const body = pattern(50_000);
  await watched.inner.putIfAbsent('t/data/a.parquet', body);
  const cache = await DiskCache.open(watched.store, cacheDir, 1_000_000);
  try {
    const footer = await cache.read('t/data/a.parquet', { suffix: 8 });
    assert.deepEqual(footer.bytes, body.subarray(49_992));
    assert.equal(footer.size, 50_000);
    assert.deepEqual((await cache.read('t/data/a.parquet', { suffix: 8 })).bytes, body.subarray(49_992));
    assert.deepEqual((await cache.read('t/data/a.parquet', { offset: 49_992, length: 8 })).bytes, body.subarray(49_992), 'the same bytes asked for by offset');
    assert.equal(watched.gets.length, 1);
    assert.deepEqual((await cache.read('t/data/a.parquet', { offset: 100, length: 900 })).bytes, body.subarray(100, 1000));
    assert.deepEqual((await cache.read('t/data/a.parquet', { offset: 100, length: 900 })).bytes, body.subarray(100, 1000));
    assert.equal(watched.gets.length, 2);
    assert.equal((await cache.read('t/data/a.parquet', { offset: 60_000, length: 10 })).bytes.byteLength, 0, 'past the end: empty, no fetch');
    assert.equal(watched.gets.length, 2);
    assert.deepEqual({ hits: cache.stats.hits, entries: cache.stats.entries, bytes: cache.stats.bytes }, { hits: 3, entries: 2, bytes: 908 });
  } finally {
    await cache.close();
  }
});

test('concurrent readers of one missing range wait for one fetch, each getting its own bytes', async () => {
  await watched.inner.putIfAbsent('k', pattern(10_000));
  const cache = await DiskCache.open(watched.store, cacheDir, 1_000_000);
  try {
    await cache.read('k', { offset: 0, length: 1 });
    let open!: () => void;
    watched.gate = new Promise((r) => (open = r));
    const reads = Array.from({ length: 8 }, () => cache.read('k', { offset: 1000, length: 4000 }));
    await new Promise((r) => setTimeout(r, 50));
    open();
    const results = await Promise.all(reads);
    assert.equal(watched.gets.length, 2, 'one fetch for the eight readers');
    for (const r of results) assert.deepEqual(r.bytes, pattern(10_000).subarray(1000, 5000));
    assert.equal(new Set(results.map((r) => r.bytes)).size, 8, 'no two readers share one buffer');
  } finally {
    await cache.close();
  }
});

test('the cache keeps within its bytes, dropping the least recently used first', async () => {
  for (const k of ['a', 'b', 'c', 'd']) await watched.inner.putIfAbsent(k, pattern(1000));
  const cache = await DiskCache.open(watched.store, cacheDir, 3000);
  try {
    for (const k of ['a', 'b', 'c']) await cache.read(k, { offset: 0, length: 1000 });
    await cache.read('a', { offset: 0, length: 1000 });
    await cache.read('d', { offset: 0, length: 1000 });
    assert.ok(cache.stats.bytes <= 3000);
    assert.equal(entryFiles().length, 3, 'the evicted entry is gone from disk');
    const before = watched.gets.length;
    await cache.read('a', { offset: 0, length: 1000 });
    await cache.read('c', { offset: 0, length: 1000 });
    assert.equal(watched.gets.length, before, 'a (used again) and c stayed');
    await cache.read('b', { offset: 0, length: 1000 });
    assert.equal(watched.gets.length, before + 1, 'b, the least recently used, was dropped');
    assert.equal(cache.stats.evictions, 2);
  } finally {
    await cache.close();
  }
});

test('a local copy is the whole object, serves its ranges, and is not evicted while held', async () => {
  const body = pattern(9 * 1024 * 1024 + 5, 3);
  await watched.inner.putIfAbsent('big', body);
  await watched.inner.putIfAbsent('small', pattern(1000));
  const cache = await DiskCache.open(watched.store, cacheDir, body.byteLength + 500);
  try {
    const copy = await cache.localCopy('big');
    assert.ok(fs.readFileSync(copy.path).equals(Buffer.from(body)));
    assert.equal(copy.size, body.byteLength);
    assert.equal(watched.gets.length, 2, 'fetched in two ranges of at most 8 MiB');
    assert.deepEqual((await cache.read('big', { suffix: 5 })).bytes, body.subarray(body.byteLength - 5));
    assert.deepEqual((await cache.read('big', { offset: 8 * 1024 * 1024 - 2, length: 4 })).bytes, body.subarray(8 * 1024 * 1024 - 2, 8 * 1024 * 1024 + 2));
    assert.equal(watched.gets.length, 2, 'ranges of a whole copy are served from it');
    await cache.read('small', { offset: 0, length: 1000 });
    assert.ok(fs.existsSync(copy.path), 'a held copy is not evicted to make room');
    copy.release();
    await cache.read('small', { offset: 0, length: 1000 });
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(cache.stats.bytes <= cache.maxBytes);
  } finally {
    await cache.close();
  }
});

test('what does not fit is served but not kept; a local copy of it is RESOURCE_EXHAUSTED', async () => {
  await watched.inner.putIfAbsent('huge', pattern(5000));
  const cache = await DiskCache.open(watched.store, cacheDir, 1000);
  try {
    assert.deepEqual((await cache.read('huge', { offset: 0, length: 4000 })).bytes, pattern(5000).subarray(0, 4000));
    assert.equal((await cache.read('huge')).bytes.byteLength, 5000);
    assert.equal(cache.stats.entries, 0);
    await assert.rejects(cache.localCopy('huge'), (e: unknown) => e instanceof QuiverError && e.code === 'RESOURCE_EXHAUSTED' && /--cache-disk-bytes/.test(e.message));
  } finally {
    await cache.close();
  }
});

test('a download that fails part-way leaves no entry and no temporary file', async () => {
  await watched.inner.putIfAbsent('big', pattern(9 * 1024 * 1024));
  const cache = await DiskCache.open(watched.store, cacheDir, 100 * 1024 * 1024);
  try {
    watched.failAfter = 1;
    await assert.rejects(cache.localCopy('big'), /the store went away/);
    assert.deepEqual(entryFiles(), []);
    assert.equal(cache.stats.bytes, 0);
    watched.failAfter = undefined;
    watched.gets = [];
    const copy = await cache.localCopy('big');
    assert.equal(fs.statSync(copy.path).size, 9 * 1024 * 1024);
    copy.release();
  } finally {
    await cache.close();
  }
});

test('after a crash: temporaries and truncated entries are dropped, whole entries are served without a fetch', async () => {
  await watched.inner.putIfAbsent('k', pattern(2000));
  let cache = await DiskCache.open(watched.store, cacheDir, 1_000_000);
  await cache.read('k', { offset: 0, length: 500 });
  await cache.read('k', { offset: 500, length: 500 });
  await cache.close();
  const [first, second] = entryFiles();
  const dir = path.join(cacheDir, 'entries');
  fs.truncateSync(path.join(dir, second!), 100);
  fs.writeFileSync(path.join(dir, `.tmp-1234-${first}`), 'half a download');
  fs.writeFileSync(path.join(dir, 'not-an-entry'), 'x');
  fs.writeFileSync(path.join(cacheDir, 'lock'), '999999999\n', { flag: 'w' });
  cache = await DiskCache.open(watched.store, cacheDir, 1_000_000);
  try {
    assert.deepEqual(entryFiles(), [first], 'only the intact entry is left');
    watched.gets = [];
    assert.deepEqual((await cache.read('k', { offset: 0, length: 500 })).bytes, pattern(2000).subarray(0, 500));
    assert.deepEqual((await cache.read('k', { offset: 500, length: 500 })).bytes, pattern(2000).subarray(500, 1000));
    assert.equal(watched.gets.length, 1, 'the intact range from disk; the truncated one fetched again');
    // An entry damaged while the cache is open is noticed on reading and fetched again.
    fs.truncateSync(path.join(dir, first!), 10);
    assert.deepEqual((await cache.read('k', { offset: 0, length: 500 })).bytes, pattern(2000).subarray(0, 500));
    assert.equal(watched.gets.length, 2);
  } finally {
    await cache.close();
  }
});

test('one process owns a cache directory; a lock left by a dead process is taken over', async () => {
  const cache = await DiskCache.open(watched.store, cacheDir, 1000);
  await assert.rejects(DiskCache.open(watched.store, cacheDir, 1000), (e: unknown) => e instanceof QuiverError && e.code === 'FAILED_PRECONDITION');
  const other = spawnSync(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(path.join(cacheDir, 'lock.other'))}, String(process.pid))`]);
  assert.equal(other.status, 0);
  await cache.close();
  fs.renameSync(path.join(cacheDir, 'lock.other'), path.join(cacheDir, 'lock'));
  const again = await DiskCache.open(watched.store, cacheDir, 1000);
  await again.close();
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)'], { stdio: 'ignore' });
  try {
    fs.writeFileSync(path.join(cacheDir, 'lock'), `${live.pid}\n`);
    await assert.rejects(DiskCache.open(watched.store, cacheDir, 1000), (e: unknown) => e instanceof QuiverError && new RegExp(`in use by process ${live.pid}`).test(e.message));
  } finally {
    live.kill('SIGKILL');
  }
  fs.rmSync(path.join(cacheDir, 'lock'));
});

test('adopt keeps a file just uploaded from as the object\'s whole copy: its reads need no fetch; one too large is not kept', async () => {
  const body = pattern(20_000);
  await watched.inner.putIfAbsent('t/data/up.parquet', body);
  const staged = path.join(cacheDir, 'staged');
  fs.writeFileSync(staged, body);
  const cache = await DiskCache.open(watched.store, cacheDir, 30_000);
  try {
    assert.equal(await cache.adopt('t/data/up.parquet', staged), true);
    fs.rmSync(staged); // the work root lets its copy go; the cache's link stays
    const copy = await cache.localCopy('t/data/up.parquet');
    assert.deepEqual(new Uint8Array(fs.readFileSync(copy.path)), body);
    copy.release();
    assert.deepEqual((await cache.read('t/data/up.parquet', { offset: 10, length: 20 })).bytes, body.subarray(10, 30));
    assert.equal(watched.gets.length, 0);
    const big = path.join(cacheDir, 'big');
    fs.writeFileSync(big, pattern(40_000));
    assert.equal(await cache.adopt('t/data/big.parquet', big), false);
    assert.equal(cache.stats.bytes, 20_000);
  } finally {
    await cache.close();
  }
});
