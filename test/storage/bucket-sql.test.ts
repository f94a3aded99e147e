// Flight SQL over tables in a bucket of a real Ceph RADOS Gateway: one server writes a table
// (Parquet files after a conversion, then an Arrow IPC file), another server with an empty disk
// cache answers ADBC queries over it, which DuckDB can only run on local copies of the files
// (object-sql-copies.ts). Results are compared with the rows written.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { Table, Utf8, vectorFromArray, makeVector } from 'apache-arrow';
import { FlightClient } from '../../src/client/index.ts';
import { startServer } from '../../src/server/start-server.ts';
import { startBucketFixture, type BucketFixture } from '../harness/ceph-rgw.ts';

let fx: BucketFixture;

before(async () => {
  fx = await startBucketFixture();
});

after(async () => {
  await fx?.stop();
});

/** Rows of `sql` through ADBC's Flight SQL driver, as JSON (one list per query). */
async function adbcQueries(location: string, queries: string[]): Promise<Record<string, unknown>[][]> {
  const script = `
import json, sys
import adbc_driver_flightsql.dbapi as flightsql
conn = flightsql.connect(sys.argv[1], autocommit=True)
out = []
for q in json.loads(sys.argv[2]):
    with conn.cursor() as cur:
        cur.execute(q)
        out.append(cur.fetch_arrow_table().to_pylist())
conn.close()
print(json.dumps(out))
`;
  const { stdout } = await promisify(execFile)('python3', ['-c', script, location.replace('grpc+tcp://', 'grpc://'), JSON.stringify(queries)], { timeout: 120_000 });
  return JSON.parse(stdout) as Record<string, unknown>[][];
}

const batch = (from: number, n: number) => {
  const id = Int32Array.from({ length: n }, (_, i) => from + i);
  // Plain Utf8 labels (a dictionary column would keep the table out of Parquet).
  return new Table({ id: makeVector(id), label: vectorFromArray(Array.from(id, (v) => `row-${v}`), new Utf8()), amount: makeVector(Float64Array.from(id, (v) => v * 1.5)) });
};

test('ADBC queries through a server with an empty cache read the bucket\'s Parquet and Arrow IPC files', async () => {
  const writer = await startServer(fx.s3Options('sql'));
  const client = new FlightClient(writer.location);
  const expected: { id: number; label: string; amount: number }[] = [];
  try {
    for (const [from, n] of [[0, 400], [400, 300]] as const) {
      await client.doPut('sales', batch(from, n));
      for (let i = from; i < from + n; i++) expected.push({ id: i, label: `row-${i}`, amount: i * 1.5 });
    }
    const converted: unknown[] = [];
    for await (const r of client.doAction('maintenance', JSON.stringify({ table: 'sales', tasks: ['convert'] }))) converted.push(JSON.parse(Buffer.from(r).toString('utf8')));
    const step = converted.map((r: any) => r.step).find((s: any) => s?.task === 'convert');
    assert.ok(step?.result?.converted, JSON.stringify(converted));
    // One more version left as Arrow IPC: the query reads both formats.
    await client.doPut('sales', batch(700, 50));
    for (let i = 700; i < 750; i++) expected.push({ id: i, label: `row-${i}`, amount: i * 1.5 });
  } finally {
    client.close();
    await writer.close();
  }

  const cacheDir = fx.fresh('quiver-s3-sql-reader-');
  const reader = await startServer(fx.s3Options('sql', { cacheDir }));
  try {
    assert.deepEqual(fs.readdirSync(path.join(cacheDir, 'objects', 'entries')), [], 'the reader starts with an empty cache');
    const [rows, agg, filtered] = await adbcQueries(reader.location, [
      'SELECT id, label, amount FROM sales ORDER BY id',
      'SELECT count(*) AS n, sum(amount) AS total, max(id) AS top FROM sales',
      "SELECT label FROM sales WHERE id BETWEEN 395 AND 404 ORDER BY id",
    ]);
    assert.deepEqual(rows, expected);
    assert.deepEqual(agg, [{ n: 750, total: expected.reduce((s, r) => s + r.amount, 0), top: 749 }]);
    assert.deepEqual(filtered!.map((r) => r.label), Array.from({ length: 10 }, (_, i) => `row-${395 + i}`));
    // The files came from the bucket into the reader's cache, and DuckDB read them under the work root.
    assert.ok(fs.readdirSync(path.join(cacheDir, 'objects', 'entries')).length >= 2);
    const copies = fs.readdirSync(path.join(cacheDir, 'work', 'tables', '.sql-copies'));
    assert.ok(copies.some((n) => n.endsWith('.parquet')) && copies.some((n) => n.endsWith('.arrows')), copies.join(' '));
  } finally {
    await reader.close();
  }
});

test('with the disk cache off, queries read downloads of their own', async () => {
  const server = await startServer({ ...fx.s3Options('sql'), cacheDiskBytes: 0 });
  try {
    const [agg] = await adbcQueries(server.location, ['SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM sales']);
    assert.deepEqual(agg, [{ n: 750, lo: 0, hi: 749 }]);
  } finally {
    await server.close();
  }
});
