// The sparse Parquet files of projected reads (src/storage/object-parquet-ranges.ts) on real
// files written by quiver's own encoder: the Thrift footer walk finds each column's chunk, the
// sparse file holds only the footer, page indexes and the projected chunks, and the Parquet
// reader decodes exactly the projected columns from it, nested ones included. A footer grown
// past the first suffix GET is fetched in a second one.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Field, Float64, Int32, List, Schema, Struct, Table, Utf8, makeVector, tableFromIPC, tableToIPC, vectorFromArray } from 'apache-arrow';
import { encodeStream } from '../../src/arrow/ipc-framing.ts';
import { encodeSchema } from '../../src/arrow/ipc-message.ts';
import { readRowGroup, encode } from '../../src/storage/parquet-codec.ts';
import { footerLength, spansFor, writeSparseParquet, FOOTER_GUESS_BYTES, type RangeGet } from '../../src/storage/object-parquet-ranges.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function sample(n: number, labelBytes = 60): Table {
  const id = Int32Array.from({ length: n }, (_, i) => i);
  const label = vectorFromArray(Array.from(id, (i) => `${'label '.repeat(Math.ceil(labelBytes / 6)).slice(0, labelBytes)}${i * 7919}`), new Utf8());
  const tags = vectorFromArray(Array.from(id, (i) => (i % 3 === 0 ? [] : [i, i + 1])), new List(new Field('item', new Int32(), true)));
  const point = vectorFromArray(Array.from(id, (i) => ({ a: i * 0.5, b: `p${i}` })), new Struct([new Field('a', new Float64(), true), new Field('b', new Utf8(), true)]));
  return new Table({ id: makeVector(id), label, tags, point, x: makeVector(Float64Array.from(id, (i) => Math.cos(i))) });
}

function rangesOf(bytes: Uint8Array, log: { offset: number; length: number }[]): RangeGet {
  return async (range) => {
    const start = 'suffix' in range ? Math.max(0, bytes.length - range.suffix) : range.offset;
    const end = 'suffix' in range ? bytes.length : Math.min(bytes.length, range.offset + range.length);
    log.push({ offset: start, length: end - start });
    return { bytes: bytes.slice(start, end), size: bytes.length };
  };
}

async function projected(file: string, rows: number, columns: string[]): Promise<Table> {
  const packed = await readRowGroup(file, 0, [rows], columns);
  const frames = packed.frames.map((f) => ({ header: new Uint8Array(packed.buffers[f.buffer]!, f.header[0], f.header[1]), body: new Uint8Array(packed.buffers[f.buffer]!, f.body[0], f.body[1]) }));
  const full = sample(1).schema;
  return tableFromIPC(encodeStream([{ header: encodeSchema(new Schema(full.fields.filter((f) => columns.includes(f.name)))), body: new Uint8Array(0) }, ...frames]));
}

test('a projection reads its columns from a sparse file holding only their chunks', async () => {
  const n = 5000;
  const t = sample(n);
  const bytes = encode(tableToIPC(t, 'stream'), n, 'zstd');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-ranges-'));
  dirs.push(dir);
  for (const columns of [['id'], ['tags', 'x'], ['point'], ['label', 'id', 'point', 'tags', 'x']]) {
    const file = path.join(dir, `${columns.join('-')}.parquet`);
    const log: { offset: number; length: number }[] = [];
    const fetched = await writeSparseParquet(rangesOf(bytes, log), file, columns);
    assert.equal(fetched, log.reduce((s, r) => s + r.length, 0));
    if (columns.length < 5) assert.ok(fetched < bytes.length, `${columns}: ${fetched} of ${bytes.length}`);
    assert.equal(fs.statSync(file).size, bytes.length);
    const got = await projected(file, n, columns);
    assert.deepEqual(got.schema.fields.map((f) => f.name), t.schema.fields.map((f) => f.name).filter((c) => columns.includes(c)));
    for (const c of columns) assert.deepEqual(JSON.stringify([...got.getChild(c)!]), JSON.stringify([...t.getChild(c)!]), c);
  }
  // The label column is most of the file: reading id alone fetches a fraction of it.
  const log: { offset: number; length: number }[] = [];
  const fetched = await writeSparseParquet(rangesOf(bytes, log), path.join(dir, 'again.parquet'), ['id']);
  assert.ok(fetched < bytes.length / 3, `${fetched} of ${bytes.length}`);
});

test('a footer larger than the first suffix GET is fetched in a second one', async () => {
  // Many row groups make a footer of many column chunks.
  const n = 40_000;
  const t = sample(n, 8);
  const ipc = tableToIPC(t, 'stream');
  const parquet = await import('parquet-wasm');
  const props = new parquet.WriterPropertiesBuilder().setMaxRowGroupSize(100).build();
  const bytes = parquet.writeParquet(parquet.Table.fromIPCStream(ipc), props);
  const metaLength = footerLength(bytes.subarray(bytes.length - 8));
  assert.ok(metaLength > FOOTER_GUESS_BYTES, `footer of ${metaLength} bytes`);
  const spans = spansFor(bytes.subarray(bytes.length - 8 - metaLength, bytes.length - 8), ['x']);
  assert.ok(spans.length >= 1);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-ranges-'));
  dirs.push(dir);
  const log: { offset: number; length: number }[] = [];
  const file = path.join(dir, 'many.parquet');
  await writeSparseParquet(rangesOf(bytes, log), file, ['x']);
  assert.deepEqual(log[1], { offset: bytes.length - 8 - metaLength, length: bytes.length - FOOTER_GUESS_BYTES - (bytes.length - 8 - metaLength) });
  const pf = await parquet.ParquetFile.fromFile(await fs.openAsBlob(file));
  const back = await pf.read({ columns: ['x'] });
  const xs = tableFromIPC(back.intoIPCStream()).getChild('x')!;
  pf.free();
  assert.deepEqual([...xs], [...t.getChild('x')!]);
});
