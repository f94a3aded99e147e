// The lookup index cache over a real TableStore (local coordinator, Parquet files on disk):
// one build shared by concurrent callers, least recently used evicted to stay within the bound,
// tables over the bound refused up front, and a build nobody waits for any more stopped.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { tableFromArrays } from 'apache-arrow';
import { decodeSchema, inspectMessage } from '../../src/arrow/ipc-message.ts';
import { keyReader } from '../../src/arrow/key-values.ts';
import { LocalCoordinator } from '../../src/coord/local-coordinator.ts';
import { QuiverError } from '../../src/errors.ts';
import { KeyIndexCache, type IndexSpec } from '../../src/storage/key-index.ts';
import { TableStore } from '../../src/storage/table-store.ts';
import type { StagedBatch } from '../../src/storage/file-stager.ts';
import { framesOf } from '../harness/arrow-frames.ts';
import { tempDir } from '../harness/quiver-process.ts';

let root: string;
let store: TableStore;

before(async () => {
  root = tempDir('quiver-key-index-');
  store = new TableStore(root, new LocalCoordinator(path.join(root, 'log')), { compression: 'zstd', rowGroupRows: 1_000, maxBufferedBytes: 1 << 20 }, { parquetWorkers: 1 });
  // a and b: three appends of 1,000 rows (three files); big: one file of 50,000 rows.
  for (const [name, parts, rows] of [['a', 3, 1_000], ['b', 3, 1_000], ['big', 1, 50_000]] as const) {
    for (let p = 0; p < parts; p++) {
      const first = p * rows;
      const frames = framesOf(tableFromArrays({
        id: BigInt64Array.from({ length: rows }, (_, i) => BigInt((first + i) % 1_000)),
        v: Float64Array.from({ length: rows }, (_, i) => first + i),
      }));
      const write = await store.beginWrite(name, 'append', frames[0]!.header, decodeSchema(frames[0]!.header));
      for (const frame of frames.slice(1)) await write.add({ frame, info: inspectMessage(frame.header) as StagedBatch['info'] });
      await write.commit();
    }
  }
});
after(async () => {
  await store?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function spec(table: string): Promise<IndexSpec> {
  const manifest = await store.snapshot(table);
  return { id: `${table}/${manifest.version}/id`, describe: `table ${table}`, manifest, keyColumns: [0] };
}

const signal = () => new AbortController().signal;

test('an index finds every row of a key, in table order, across files', async () => {
  const cache = new KeyIndexCache(() => store, 64 << 20, '--lookup-index-bytes');
  const index = await cache.acquire(await spec('a'), signal());
  assert.ok(index.batches.length >= 3, 'the table spans several files');
  const probe = tableFromArrays({ id: BigInt64Array.from([7n, 5_000n, 999n]) }).batches[0]!;
  const picks = index.lookup(keyReader(probe.data.children[0]!), probe.numRows);
  const values = Array.from(picks.chunk, (c, i) => index.batches[c]!.getChildAt(1)!.get(picks.row[i]!));
  assert.deepEqual(values, [7, 1_007, 2_007, 999, 1_999, 2_999]);
});

test('concurrent callers share one build, and a later caller gets the same index', async () => {
  const cache = new KeyIndexCache(() => store, 64 << 20, '--lookup-index-bytes');
  const s = await spec('a');
  const [x, y] = await Promise.all([cache.acquire(s, signal()), cache.acquire(s, signal())]);
  assert.equal(x, y);
  assert.equal(await cache.acquire(s, signal()), x);
});

test('the least recently used index is evicted to stay within the bound', async () => {
  // Room for one index (the estimate is above what a built one holds), not for two.
  const cache = new KeyIndexCache(() => store, KeyIndexCache.estimate((await spec('a')).manifest), '--lookup-index-bytes');
  const a = await cache.acquire(await spec('a'), signal());
  const b = await cache.acquire(await spec('b'), signal());
  assert.ok(cache.bytes <= cache.maxBytes, `${cache.bytes} bytes held, bound ${cache.maxBytes}`);
  assert.equal(await cache.acquire(await spec('b'), signal()), b, 'the most recent index stays');
  assert.notEqual(await cache.acquire(await spec('a'), signal()), a, 'the older one was evicted and is built again');
});

test('a table whose index cannot fit is refused before anything is read', async () => {
  const cache = new KeyIndexCache(() => store, 1 << 20, '--lookup-index-bytes');
  await assert.rejects(cache.acquire(await spec('big'), signal()), (e: unknown) => {
    assert.ok(e instanceof QuiverError && e.code === 'RESOURCE_EXHAUSTED');
    assert.match(e.message, /50000 rows.*raise --lookup-index-bytes/);
    return true;
  });
  assert.equal(cache.bytes, 0);
});

test('a build whose only caller cancels stops, and the next caller builds afresh', async () => {
  const cache = new KeyIndexCache(() => store, 64 << 20, '--lookup-index-bytes');
  const controller = new AbortController();
  const pending = cache.acquire(await spec('big'), controller.signal);
  controller.abort(new QuiverError('CANCELLED', 'the client cancelled the call'));
  await assert.rejects(pending, (e: unknown) => e instanceof QuiverError && e.code === 'CANCELLED');
  await cache.idle();
  assert.equal(cache.bytes, 0, 'the cancelled build kept nothing');
  const index = await cache.acquire(await spec('big'), signal());
  assert.equal(index.batches.reduce((n, b) => n + b.numRows, 0), 50_000);
});

test('a build continues while another caller still waits for it', async () => {
  const cache = new KeyIndexCache(() => store, 64 << 20, '--lookup-index-bytes');
  const s = await spec('b');
  const quitter = new AbortController();
  const first = cache.acquire(s, quitter.signal);
  const second = cache.acquire(s, signal());
  quitter.abort(new QuiverError('CANCELLED', 'the client cancelled the call'));
  await assert.rejects(first);
  assert.equal((await second).batches.reduce((n, b) => n + b.numRows, 0), 3_000);
});
