// The ObjectStore contract on both implementations, the filesystem in a temporary directory and
// S3 in a bucket of a real Ceph RADOS Gateway started for this file; then what only the S3 store
// has to get right, through a proxy that throttles, loses replies and answers slowly: which
// failures are retried, which are not, and a put whose reply was lost.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { QuiverError } from '../../src/errors.ts';
import { DiskCache } from '../../src/object-store/disk-cache.ts';
import { FilesystemStore } from '../../src/object-store/filesystem-store.ts';
import { isObjectMissing } from '../../src/object-store/object-store.ts';
import { multipartEtag, S3Store } from '../../src/object-store/s3-store.ts';
import { writeObject } from '../../src/object-store/write-object.ts';
import { startCephGateway, type CephGateway } from '../harness/ceph-rgw.ts';
import { HttpFaultProxy } from '../harness/http-fault-proxy.ts';
import { objectStoreContract, pattern } from './store-contract.ts';

const text = (s: string) => new TextEncoder().encode(s);

let dir = '';
let gateway: CephGateway | undefined;
let bucket = '';
let fsStore: FilesystemStore;
let s3: S3Store;
const opened: S3Store[] = [];

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-objects-'));
  fsStore = new FilesystemStore(dir);
  const t0 = Date.now();
  gateway = await startCephGateway({ memoryBytes: 512 * 1024 ** 2 });
  console.log(`# Ceph RGW answered after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  bucket = await gateway.createBucket();
  s3 = new S3Store({ bucket, prefix: 'quiver/test' }, gateway.connection);
  opened.push(s3);
});

after(async () => {
  for (const s of opened) s.close();
  await gateway?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

objectStoreContract('filesystem', () => fsStore);
objectStoreContract('S3 (Ceph RGW)', () => s3);

describe('the S3 store against a misbehaving service', () => {
  let proxy: HttpFaultProxy;
  let store: S3Store;
  const retries: number[] = [];
  before(async () => {
    proxy = await HttpFaultProxy.start(gateway!.port);
    store = new S3Store({ bucket, prefix: 'faults' }, { ...gateway!.connection, endpoint: proxy.endpoint }, {
      retry: { attempts: 4, baseDelayMs: 20, maxDelayMs: 200, attemptTimeoutMs: 1_500 },
      onRetry: (_e, attempt) => retries.push(attempt),
    });
    opened.push(store);
  });
  after(() => proxy.close());
  const requests = (method: string) => proxy.seen.filter((s) => s.startsWith(`${method} `)).length;

  test('throttling (503 SlowDown) and server errors are retried until the store answers', async () => {
    const key = `${randomUUID()}/t`;
    proxy.arm({ kind: 'refuse', status: 503 }, 2, 'PUT');
    assert.equal(await store.putIfAbsent(key, text('throttled')), 'created');
    proxy.arm({ kind: 'refuse', status: 500 }, 1, 'GET');
    proxy.arm({ kind: 'refuse', status: 429 }, 1, 'GET');
    assert.equal(new TextDecoder().decode((await store.get(key)).bytes), 'throttled');
    assert.equal(proxy.faulted, 4);
  });

  test('retries are bounded: a store that keeps failing gives UNAVAILABLE, retriable', async () => {
    proxy.disarm();
    proxy.arm({ kind: 'refuse', status: 503 }, 10, 'HEAD');
    const before = requests('HEAD');
    await assert.rejects(store.head(`${randomUUID()}/x`), (e: unknown) => e instanceof QuiverError && e.code === 'UNAVAILABLE' && e.retriable);
    assert.equal(requests('HEAD') - before, 4, 'four attempts, then the error');
    proxy.disarm();
  });

  test('412 and 404 are answers, never retried', async () => {
    const key = `${randomUUID()}/taken`;
    await store.putIfAbsent(key, text('a'));
    let before = requests('PUT');
    assert.equal(await store.putIfAbsent(key, text('b')), 'exists');
    assert.equal(requests('PUT') - before, 1);
    before = requests('GET');
    await assert.rejects(store.get(`${randomUUID()}/none`), (e: unknown) => isObjectMissing(e));
    assert.equal(requests('GET') - before, 1);
  });

  test('a put whose reply was lost is recognised as this call\'s own write on the retry', async () => {
    const key = `${randomUUID()}/lost`;
    proxy.arm({ kind: 'lose' }, 1, 'PUT');
    assert.equal(await store.putIfAbsent(key, text('mine')), 'created', 'the retry found the key taken by the lost attempt: its own bytes');
    assert.equal(new TextDecoder().decode((await s3Direct().get(`faults/${key}`)).bytes), 'mine');
    // The same loss on a key someone else holds is a lost race, not a win.
    const other = `${randomUUID()}/held`;
    await store.putIfAbsent(other, text('theirs'));
    proxy.arm({ kind: 'lose', status: 500 }, 1, 'PUT');
    assert.equal(await store.putIfAbsent(other, text('mine')), 'exists');
  });

  test('a multipart completion whose reply was lost is recognised by the entity tag of its parts', async () => {
    const key = `${randomUUID()}/lost-complete`;
    const id = await store.startUpload(key);
    const parts = [await store.uploadPart(key, id, 1, pattern(store.minPartBytes)), await store.uploadPart(key, id, 2, pattern(10))];
    proxy.arm({ kind: 'lose' }, 1, 'POST');
    assert.equal(await store.completeUpload(key, id, parts), 'created');
    assert.equal((await store.head(key))!.size, store.minPartBytes + 10);
    assert.deepEqual(await store.listUploads(key), []);
  });

  test('a slow response is abandoned after the attempt timeout and the request retried', async () => {
    const key = `${randomUUID()}/slow`;
    await store.putIfAbsent(key, text('slow'));
    proxy.arm({ kind: 'delay', delayMs: 5_000 }, 1, 'GET');
    const t0 = Date.now();
    assert.equal(new TextDecoder().decode((await store.get(key)).bytes), 'slow');
    assert.ok(Date.now() - t0 < 5_000, 'the retry did not wait for the slow reply');
  });

  test('a stopped gateway makes requests fail UNAVAILABLE; a restarted one serves them again', async () => {
    const key = `${randomUUID()}/restart`;
    await gateway!.stopGateway();
    try {
      await assert.rejects(store.putIfAbsent(key, text('x')), (e: unknown) => e instanceof QuiverError && e.code === 'UNAVAILABLE');
    } finally {
      await gateway!.restartGateway();
    }
    assert.equal(await store.putIfAbsent(key, text('after')), 'created');
  });
});

describe('S3 specifics on Ceph RGW', () => {
  test('If-Match takes the entity tag as head returns it; a missing key under If-Match is NOT_FOUND (RGW answers 412)', async () => {
    const key = `${randomUUID()}/etag`;
    await s3.putIfAbsent(key, text('tagged'));
    const info = await s3.head(key);
    assert.match(info!.etag!, /^[0-9a-f]{32}$/, 'entity tags are given unquoted');
    assert.equal(new TextDecoder().decode((await s3.get(key, { ifMatch: info!.etag!, range: { offset: 1, length: 3 } })).bytes), 'agg');
    assert.equal((await s3.get(key, { ifMatch: `"${info!.etag!}"` })).bytes.byteLength, 6, 'a quoted tag works too');
    await assert.rejects(s3.get(key, { ifMatch: '0123456789abcdef0123456789abcdef' }), (e: unknown) => e instanceof QuiverError && e.code === 'FAILED_PRECONDITION');
    await assert.rejects(s3.get(`${key}-none`, { ifMatch: info!.etag! }), (e: unknown) => isObjectMissing(e));
  });

  test('a completed upload has the entity tag computed from its parts (how a lost completion is recognised)', async () => {
    const key = `${randomUUID()}/mp`;
    const id = await s3.startUpload(key);
    const parts = [await s3.uploadPart(key, id, 1, pattern(s3.minPartBytes)), await s3.uploadPart(key, id, 2, pattern(1000, 3))];
    assert.equal(await s3.completeUpload(key, id, parts), 'created');
    assert.equal((await s3.head(key))!.etag, multipartEtag(parts));
  });

  test('a bucket that does not exist is NOT_FOUND, naming the bucket', async () => {
    const none = new S3Store({ bucket: `missing-${randomUUID().slice(0, 8)}`, prefix: '' }, gateway!.connection);
    opened.push(none);
    await assert.rejects(none.putIfAbsent('k', text('x')), (e: unknown) => e instanceof QuiverError && e.code === 'NOT_FOUND' && /bucket/.test(e.message));
  });

  test('wrong credentials are PERMISSION_DENIED', async () => {
    const bad = new S3Store({ bucket, prefix: '' }, { ...gateway!.connection, credentials: { accessKeyId: gateway!.accessKeyId, secretAccessKey: 'wrong' } });
    opened.push(bad);
    await assert.rejects(bad.head('k'), (e: unknown) => e instanceof QuiverError && e.code === 'PERMISSION_DENIED');
  });

  test('writeObject streams a large object in parts of at least the S3 minimum', async () => {
    const key = `${randomUUID()}/stream`;
    const body = pattern(s3.minPartBytes * 2 + 12_345);
    assert.equal(await writeObject(s3, key, [body.subarray(0, 3), body.subarray(3)], { partBytes: 1024 }), 'created');
    const info = await s3.head(key);
    assert.equal(info!.size, body.byteLength);
    assert.match(info!.etag!, /-3$/, 'three parts of 5 MiB, 5 MiB and the rest');
  });
});

describe('the disk cache in front of the bucket', () => {
  test('ranged GETs of a bucket object are fetched once, then served from the cache', async () => {
    const key = `${randomUUID()}/data.parquet`;
    const body = pattern(200_000, 5);
    await s3.putIfAbsent(key, body);
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-s3-cache-'));
    const cache = await DiskCache.open(s3, cacheDir, 10 * 1024 * 1024);
    try {
      for (let i = 0; i < 2; i++) {
        assert.deepEqual((await cache.read(key, { suffix: 8 })).bytes, body.subarray(body.byteLength - 8));
        assert.deepEqual((await cache.read(key, { offset: 4096, length: 65_536 })).bytes, body.subarray(4096, 4096 + 65_536));
      }
      assert.equal(cache.stats.fetches, 2);
      const copy = await cache.localCopy(key);
      assert.ok(fs.readFileSync(copy.path).equals(Buffer.from(body)));
      copy.release();
    } finally {
      await cache.close();
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

function s3Direct(): S3Store {
  const direct = new S3Store({ bucket, prefix: '' }, gateway!.connection);
  opened.push(direct);
  return direct;
}
