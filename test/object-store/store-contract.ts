// What every ObjectStore must do, as tests that run unchanged against each implementation
// (store-contract.test.ts runs them on the filesystem and on a real Ceph RGW bucket): the
// promises quiver's commits and maintenance rest on, put-if-absent above all.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { QuiverError } from '../../src/errors.ts';
import { probeConditionalPuts } from '../../src/object-store/conditional-put-probe.ts';
import { isObjectMissing, listAll, type ObjectStore } from '../../src/object-store/object-store.ts';
import { writeObject } from '../../src/object-store/write-object.ts';

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

/** Bytes 0..n-1 of a repeating, position-dependent pattern (so a misplaced range shows). */
export function pattern(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed + (i >> 8)) & 0xff;
  return out;
}

export function objectStoreContract(label: string, store: () => ObjectStore): void {
  describe(`ObjectStore contract: ${label}`, () => {
    const fresh = () => `contract/${randomUUID()}`;

    test('put-if-absent creates a key once; a second put leaves the first object in place', async () => {
      const key = `${fresh()}/one`;
      assert.equal(await store().putIfAbsent(key, text('first')), 'created');
      assert.equal(await store().putIfAbsent(key, text('second')), 'exists');
      const got = await store().get(key);
      assert.equal(str(got.bytes), 'first');
      assert.equal(got.size, 5);
      const info = await store().head(key);
      assert.equal(info?.size, 5);
      assert.ok(info!.lastModified.getTime() > Date.now() - 600_000, `lastModified ${info!.lastModified.toISOString()} is recent`);
    });

    test('16 concurrent writers of one key: exactly one wins, and the key holds its bytes', async () => {
      for (let round = 0; round < 5; round++) {
        const key = `${fresh()}/race`;
        const bodies = Array.from({ length: 16 }, (_, i) => text(`writer ${i} ${'x'.repeat(1000 + i)}`));
        const outcomes = await Promise.all(bodies.map((b) => store().putIfAbsent(key, b)));
        const winners = outcomes.flatMap((o, i) => (o === 'created' ? [i] : []));
        assert.equal(winners.length, 1, `round ${round}: winners ${winners.join(', ')}`);
        assert.equal(str((await store().get(key)).bytes), str(bodies[winners[0]!]!));
      }
    });

    test('ranged gets: offset and length, cut at the end, past the end, suffixes, empty ranges', async () => {
      const key = `${fresh()}/ranges`;
      const body = pattern(10_000);
      await store().putIfAbsent(key, body);
      const range = async (r: Parameters<ObjectStore['get']>[1]) => store().get(key, r);
      assert.deepEqual((await range({ range: { offset: 4, length: 4 } })).bytes, body.subarray(4, 8));
      assert.deepEqual((await range({ range: { offset: 0, length: 1 } })).bytes, body.subarray(0, 1));
      const tail = await range({ range: { offset: 9_990, length: 100 } });
      assert.deepEqual(tail.bytes, body.subarray(9_990));
      assert.equal(tail.size, 10_000);
      const past = await range({ range: { offset: 10_000, length: 5 } });
      assert.equal(past.bytes.byteLength, 0);
      assert.equal(past.size, 10_000);
      const suffix = await range({ range: { suffix: 4 } });
      assert.deepEqual(suffix.bytes, body.subarray(9_996));
      assert.equal(suffix.size, 10_000, 'a suffix read learns the size of the object');
      assert.deepEqual((await range({ range: { suffix: 20_000 } })).bytes, body);
      assert.equal((await range({ range: { offset: 5, length: 0 } })).bytes.byteLength, 0);
      assert.equal((await range({ range: { suffix: 0 } })).bytes.byteLength, 0);
      await assert.rejects(range({ range: { offset: -1, length: 2 } }), (e: unknown) => e instanceof QuiverError && e.code === 'INVALID_ARGUMENT');
    });

    test('a missing key: get fails NOT_FOUND, head answers undefined, delete succeeds', async () => {
      const key = `${fresh()}/missing`;
      await assert.rejects(store().get(key), (e: unknown) => isObjectMissing(e));
      await assert.rejects(store().get(key, { range: { suffix: 3 } }), (e: unknown) => isObjectMissing(e));
      assert.equal(await store().head(key), undefined);
      await store().delete(key);
    });

    test('keys that could leave the root or clash with temporary files are refused', async () => {
      for (const key of ['', '../x', '/abs', 'a//b', 'a/./b', 'a/../b', 'a/.tmp-x', '.quiver-uploads/x', 'a\\b']) {
        await assert.rejects(store().putIfAbsent(key, text('x')), (e: unknown) => e instanceof QuiverError && e.code === 'INVALID_ARGUMENT', JSON.stringify(key));
      }
    });

    test('list by prefix pages through keys in byte order and groups by delimiter', async () => {
      const root = fresh();
      const keys = Array.from({ length: 23 }, (_, i) => `${root}/t/${String.fromCharCode(97 + (i % 5))}${i}/obj-${i}`);
      keys.push(`${root}/t/top`, `${root}/tother/x`);
      await Promise.all(keys.map((k) => store().putIfAbsent(k, text(k))));
      const under = keys.filter((k) => k.startsWith(`${root}/t/`)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      const pages: string[][] = [];
      let token: string | undefined;
      do {
        const page = await store().list(`${root}/t/`, { limit: 7, ...(token ? { token } : {}) });
        assert.ok(page.objects.length <= 7);
        pages.push(page.objects.map((o) => o.key));
        token = page.next;
      } while (token !== undefined);
      assert.ok(pages.length >= 4, `${pages.length} pages`);
      assert.deepEqual(pages.flat(), under);
      const all: string[] = [];
      for await (const o of listAll(store(), `${root}/t`, 10)) all.push(o.key);
      assert.deepEqual(all, [...under, `${root}/tother/x`].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
      const grouped = await store().list(`${root}/t/`, { delimiter: '/' });
      assert.deepEqual(grouped.objects.map((o) => o.key), [`${root}/t/top`]);
      assert.deepEqual(grouped.prefixes, [...new Set(under.filter((k) => !k.endsWith('/top')).map((k) => k.split('/').slice(0, 4).join('/') + '/'))].sort());
      const obj = (await store().list(`${root}/t/top`)).objects[0]!;
      assert.equal(obj.size, Buffer.byteLength(`${root}/t/top`));
      assert.deepEqual((await store().list(`${root}/nothing/`)).objects, []);
    });

    test('delete removes an object from gets, heads and lists', async () => {
      const root = fresh();
      await store().putIfAbsent(`${root}/a`, text('a'));
      await store().putIfAbsent(`${root}/b`, text('b'));
      await store().delete(`${root}/a`);
      await assert.rejects(store().get(`${root}/a`), (e: unknown) => isObjectMissing(e));
      assert.equal(await store().head(`${root}/a`), undefined);
      assert.deepEqual((await store().list(`${root}/`)).objects.map((o) => o.key), [`${root}/b`]);
      await store().delete(`${root}/b`);
      assert.deepEqual(await store().list(`${root}/`, { delimiter: '/' }), { objects: [], prefixes: [] });
      assert.deepEqual((await store().list(`${fresh().split('/')[0]}/`, { delimiter: '/' })).prefixes.filter((p) => p === `${root}/`), [], 'an emptied prefix is not listed');
    });

    test('a multipart upload becomes one object only when completed', async () => {
      const key = `${fresh()}/big`;
      const partBytes = Math.max(store().minPartBytes, 64 * 1024);
      const body = pattern(Math.floor(partBytes * 2.5));
      const chunks = (function* () {
        for (let at = 0; at < body.byteLength; at += 100_003) yield body.subarray(at, at + 100_003);
      })();
      assert.equal(await writeObject(store(), key, chunks, { partBytes }), 'created');
      const got = await store().get(key);
      assert.equal(got.size, body.byteLength);
      assert.ok(Buffer.from(got.bytes).equals(Buffer.from(body)), 'the parts in order are the object');
      assert.deepEqual((await store().get(key, { range: { offset: partBytes - 2, length: 4 } })).bytes, body.subarray(partBytes - 2, partBytes + 2));
      assert.deepEqual(await store().listUploads(key), [], 'a completed upload is not pending');
      assert.equal(await writeObject(store(), key, [pattern(partBytes + 10, 9)], { partBytes }), 'exists', 'completing onto a taken key does not replace it');
      assert.ok(Buffer.from((await store().get(key)).bytes).equals(Buffer.from(body)));
      assert.deepEqual(await store().listUploads(key), [], 'the losing upload was aborted');
    });

    test('an upload neither completed nor aborted is listed with its start; abort discards it', async () => {
      const root = fresh();
      const key = `${root}/abandoned`;
      const before = Date.now();
      const id = await store().startUpload(key);
      await store().uploadPart(key, id, 1, pattern(1000));
      const pending = await store().listUploads(`${root}/`);
      assert.deepEqual(pending.map((u) => [u.key, u.uploadId]), [[key, id]]);
      assert.ok(Math.abs(pending[0]!.initiated.getTime() - before) < 120_000, `initiated ${pending[0]!.initiated.toISOString()}`);
      assert.equal(await store().head(key), undefined, 'nothing is visible under the key');
      await store().abortUpload(key, id);
      assert.deepEqual(await store().listUploads(`${root}/`), []);
      await store().abortUpload(key, id);
      await assert.rejects(store().uploadPart(key, id, 2, pattern(10)), (e: unknown) => e instanceof QuiverError && e.code === 'NOT_FOUND');
    });

    test('a write whose source fails part-way leaves no object and no upload', async () => {
      const root = fresh();
      const key = `${root}/failed`;
      const partBytes = Math.max(store().minPartBytes, 64 * 1024);
      async function* failing() {
        yield pattern(partBytes);
        yield pattern(partBytes);
        yield pattern(10);
        throw new Error('the client went away');
      }
      await assert.rejects(writeObject(store(), key, failing(), { partBytes }), /the client went away/);
      assert.equal(await store().head(key), undefined);
      assert.deepEqual(await store().listUploads(`${root}/`), []);
    });

    test('the conditional-put probe accepts the store and leaves nothing behind', async () => {
      await probeConditionalPuts(store());
      assert.deepEqual((await store().list('.quiver-probe/')).objects, []);
    });
  });
}
