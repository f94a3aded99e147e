// Parquet work runs in worker threads so that a wasm trap on a bad file costs one request,
// not the server. These use real files from other writers (the parquet-testing corpus).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import { ParquetDataError, ParquetPool, ParquetWorkerCrash } from '../../src/storage/parquet-pool.ts';
import { readParquet } from '../../src/storage/parquet-files.ts';
import { CORPUS } from '../harness/quiver-process.ts';

const pool = new ParquetPool(1);
after(() => pool.close());

async function rowsOf(file: string): Promise<number> {
  let frames = 0;
  for await (const _ of readParquet(pool, path.join(CORPUS, 'parquet', file), { batches: null })) frames++;
  return frames;
}

test('a readable file streams one batch per row group', async () => {
  assert.equal(await rowsOf('floating_orders_nan_count.parquet'), 5);
});

test('a file that traps parquet-wasm fails its request and the pool keeps working', async () => {
  await assert.rejects(rowsOf('nation.dict-malformed.parquet'), (e: Error) => e instanceof ParquetWorkerCrash || e instanceof ParquetDataError);
  assert.equal(await rowsOf('alltypes_plain.parquet'), 1);
});

test('a file that is not Parquet is a data error', async () => {
  await assert.rejects(rowsOf('delta_binary_packed_expect.csv'), ParquetDataError);
  assert.equal(await rowsOf('alltypes_plain.parquet'), 1);
});

test('a worker whose WebAssembly heap has grown is ended once idle, and the next request starts a fresh one', async () => {
  const small = new ParquetPool(1, { idleMs: 50, idleHeapBytes: 0 });
  try {
    const read = async () => {
      let frames = 0;
      for await (const _ of readParquet(small, path.join(CORPUS, 'parquet', 'floating_orders_nan_count.parquet'), { batches: null })) frames++;
      return frames;
    };
    assert.equal(await read(), 5);
    assert.ok(small.stats().heapBytes > 0, 'the worker reports its heap');
    for (let i = 0; i < 100 && small.stats().workers > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual([small.stats().workers, small.stats().retired], [0, 1]);
    assert.equal(await read(), 5);
  } finally {
    await small.close();
  }
  const bounded = new ParquetPool(1, { maxHeapBytes: 0, idleHeapBytes: 0 });
  try {
    assert.deepEqual(await bounded.call({ op: 'rowGroups', file: path.join(CORPUS, 'parquet', 'floating_orders_nan_count.parquet') }), [10, 10, 10, 10, 10]);
    assert.equal(bounded.stats().retired, 1, 'past the hard bound a worker is ended as soon as it is idle');
  } finally {
    await bounded.close();
  }
});
