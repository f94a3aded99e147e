// Projected reads of Parquet files in a bucket of a real Ceph RADOS Gateway fetch only the
// footer, page indexes and the projected columns' chunks (src/storage/object-parquet-ranges.ts):
// bytes are counted at the store, under the table store that reads, with an empty disk cache.
// The rows read are compared with those written; a repeated projection is served from the
// cache's ranges, and a whole read still downloads (and caches) the whole file.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Schema, Table, Utf8, makeVector, tableFromIPC, vectorFromArray } from 'apache-arrow';
import { encodeStream } from '../../src/arrow/ipc-framing.ts';
import { decodeSchema, encodeSchema } from '../../src/arrow/ipc-message.ts';
import { FlightClient } from '../../src/client/index.ts';
import { BucketCoordinator } from '../../src/coord/bucket/bucket-coordinator.ts';
import { DiskCache } from '../../src/object-store/disk-cache.ts';
import type { GetOptions, ObjectStore } from '../../src/object-store/object-store.ts';
import { S3Store } from '../../src/object-store/s3-store.ts';
import { startServer } from '../../src/server/start-server.ts';
import { schemaBytes, type Manifest } from '../../src/storage/manifest.ts';
import { TableStore } from '../../src/storage/table-store.ts';
import { startBucketFixture, type BucketFixture } from '../harness/ceph-rgw.ts';

let fx: BucketFixture;

before(async () => {
  fx = await startBucketFixture();
});

after(async () => {
  await fx?.stop();
});

/** The S3 store with the bytes of every GET counted per key. */
function counted(inner: S3Store): { store: ObjectStore; bytes: Map<string, number> } {
  const bytes = new Map<string, number>();
  const store = Object.create(inner, {
    get: {
      value: async (key: string, options?: GetOptions) => {
        const got = await inner.get(key, options);
        bytes.set(key, (bytes.get(key) ?? 0) + got.bytes.byteLength);
        return got;
      },
    },
  }) as ObjectStore;
  return { store, bytes };
}

const N = 20_000;
const written = () => {
  const id = Int32Array.from({ length: N }, (_, i) => i);
  return new Table({
    id: makeVector(id),
    wide: vectorFromArray(Array.from(id, (i) => `a fairly long label that makes this column the bulk of the file ${i * 7919}`), new Utf8()),
    x: makeVector(Float64Array.from(id, (i) => Math.sin(i))),
  });
};

async function readColumns(store: TableStore, m: Manifest, columns?: string[]): Promise<Table> {
  const schema = decodeSchema(schemaBytes(m));
  const projected = columns ? new Schema(schema.fields.filter((f) => columns.includes(f.name))) : schema;
  const frames = [{ header: encodeSchema(projected), body: new Uint8Array(0) }];
  for await (const f of store.readFiles(m, m.files, columns)) frames.push(f as { header: Uint8Array; body: Uint8Array<ArrayBuffer> });
  return tableFromIPC(encodeStream(frames));
}

test('a projected read of a bucket\'s Parquet file fetches its columns\' bytes, not the file', async () => {
  const server = await startServer(fx.s3Options('ranged'));
  const client = new FlightClient(server.location);
  try {
    await client.doPut('wide', written());
    for await (const _ of client.doAction('maintenance', JSON.stringify({ table: 'wide', tasks: ['convert'] }))) void _;
  } finally {
    client.close();
    await server.close();
  }

  const s3 = new S3Store({ bucket: fx.bucket, prefix: 'ranged' }, fx.gateway.connection);
  const { store: objects, bytes } = counted(s3);
  const base = fx.fresh('quiver-s3-r-');
  const cache = await DiskCache.open(objects, path.join(base, 'objects'), 256 * 1024 ** 2);
  const store = new TableStore(path.join(base, 'work'), new BucketCoordinator(objects), { compression: 'zstd', rowGroupRows: 1_048_576, maxBufferedBytes: 64 * 1024 ** 2 }, { objectStore: { store: objects, cache } });
  try {
    const m = await store.snapshot('wide');
    assert.deepEqual(m.files.map((f) => f.format), ['parquet']);
    const key = (await s3.list('tables/')).objects.map((o) => o.key).find((k) => k.endsWith('.parquet'))!;
    const size = (await s3.head(key))!.size;
    const expected = written();

    const ids = await readColumns(store, m, ['id']);
    assert.deepEqual(ids.schema.fields.map((f) => f.name), ['id']);
    assert.deepEqual([...ids.getChild('id')!], [...expected.getChild('id')!]);
    const projected = bytes.get(key)!;
    console.log(`# projected read of id: ${projected} of the file's ${size} bytes`);
    assert.ok(projected < size / 2, `${projected} of ${size}`);

    const two = await readColumns(store, m, ['x', 'id']);
    assert.deepEqual([...two.getChild('x')!], [...expected.getChild('x')!]);
    assert.ok(bytes.get(key)! < size, `${bytes.get(key)} of ${size}`);

    store.clearCache();
    const before = bytes.get(key)!;
    await readColumns(store, m, ['id']);
    assert.equal(bytes.get(key), before, 'a repeated projection is served from the disk cache');

    const whole = await readColumns(store, m);
    assert.deepEqual(whole.toArray().map((r) => r.toJSON()), expected.toArray().map((r) => r.toJSON()));
    assert.ok(cache.holdsWhole(key));
  } finally {
    await store.close();
    await cache.close();
    s3.close();
  }
});
