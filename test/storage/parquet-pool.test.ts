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
