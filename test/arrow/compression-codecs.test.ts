// The LZ4 frame reader of src/arrow/compression-codecs.ts on frames with every optional part
// (content size, block and content checksums, stored blocks), on damaged frames, and
// BatchDecoder's check of each compressed buffer's declared length.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CompressionType, Dictionary, Field, Int32, Message, Schema, Table, Utf8, compressionRegistry, makeVector, vectorFromArray } from 'apache-arrow';
import { BodyCompression, BufferRegion, FieldNode, RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import lz4 from 'lz4js';
import xxh32 from 'lz4js/xxh32.js';
import { BatchDecoder, encodeBatch } from '../../src/arrow/batch-codec.ts';
import { compressFrame } from '../../src/arrow/body-compression.ts';
import { CorruptCompressedDataError, decodeLz4Frames } from '../../src/arrow/compression-codecs.ts';
import { IpcFormatError } from '../../src/arrow/ipc-message.ts';

const u32 = (n: number) => new Uint8Array(new Uint32Array([n >>> 0]).buffer);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
const hash = (b: Uint8Array) => xxh32.hash(0, b, 0, b.length);
const text = (s: string) => new TextEncoder().encode(s);

/** The one compressed block lz4js puts in a frame for small compressible input. */
function compressedBlock(data: Uint8Array): Uint8Array {
  const frame = lz4.compress(data);
  const word = new DataView(frame.buffer, frame.byteOffset).getUint32(7, true);
  assert.equal(word & 0x80000000, 0, 'the test data should compress');
  return frame.slice(11, 11 + word);
}

/** A frame with content size, block checksums and a content checksum: a stored block, then a compressed one. */
function fullFrame(stored: Uint8Array, packed: Uint8Array, content: Uint8Array): Uint8Array {
  const descriptor = concat(new Uint8Array([0x5c, 0x70]), u32(content.length), u32(0));
  const headerChecksum = (xxh32.hash(0, descriptor, 0, descriptor.length) >>> 8) & 0xff;
  return concat(
    u32(0x184d2204), descriptor, new Uint8Array([headerChecksum]),
    u32(0x80000000 | stored.length), stored, u32(hash(stored)),
    u32(packed.length), packed, u32(hash(packed)),
    u32(0), u32(hash(content)),
  );
}

describe('LZ4 frames', () => {
  const first = text('stored as is; ');
  const second = text('compressible '.repeat(40));
  const content = concat(first, second);
  const frame = fullFrame(first, compressedBlock(second), content);

  test('a frame with every optional part decodes, and arrow-js has the codec', () => {
    assert.deepEqual(decodeLz4Frames(frame), content);
    assert.deepEqual(compressionRegistry.get(CompressionType.LZ4_FRAME)!.decode!(frame), content);
    assert.ok(compressionRegistry.get(CompressionType.ZSTD)?.decode);
  });

  test('concatenated frames and multi-block frames from lz4js decode whole', () => {
    const big = new Uint8Array(9 << 20).map((_, i) => (i * 7919) % 251 ^ (i >> 12));
    assert.deepEqual(decodeLz4Frames(concat(lz4.compress(big), frame)), concat(big, content));
  });

  test('damaged frames are refused, not read short', () => {
    const damaged = (at: number, value: number) => { const f = frame.slice(); f[at] = value; return f; };
    const cases: [string, Uint8Array, RegExp][] = [
      ['bad magic', damaged(0, 0), /magic/],
      ['header checksum', damaged(6, frame[6]! ^ 1), /header checksum/],
      ['a stored byte', damaged(20, frame[20]! ^ 1), /block checksum/],
      ['the content checksum', damaged(frame.length - 1, frame.at(-1)! ^ 1), /content checksum/],
      ['truncated', frame.subarray(0, frame.length - 9), /truncated/],
    ];
    for (const [what, bytes, message] of cases) {
      assert.throws(() => decodeLz4Frames(bytes), (e: unknown) => e instanceof CorruptCompressedDataError && message.test(e.message), what);
    }
  });
});

describe('BatchDecoder with compressed bodies', () => {
  const schema = new Schema([new Field('n', new Int32(), false)]);
  const values = new Uint8Array(new Int32Array(64).fill(7).buffer);
  function frameOf(declared: bigint) {
    const prefix = new Uint8Array(new BigInt64Array([declared]).buffer);
    const data = concat(prefix, lz4.compress(values));
    const padded = new Uint8Array((data.length + 7) & ~7);
    padded.set(data);
    const header = new RecordBatchHeader(64, [new FieldNode(64, 0)], [new BufferRegion(0, 0), new BufferRegion(0, data.length)], new BodyCompression(CompressionType.LZ4_FRAME));
    return { header: Message.encode(Message.from(header, padded.length)), body: padded };
  }

  test('decodes a buffer whose length prefix is right', () => {
    const batch = new BatchDecoder(schema).decode(frameOf(BigInt(values.length)))!;
    assert.deepEqual([...batch.getChild('n')!], new Array(64).fill(7));
  });

  test('refuses a buffer that decodes to another length than its prefix says', () => {
    assert.throws(() => new BatchDecoder(schema).decode(frameOf(BigInt(values.length + 8))), (e: unknown) => e instanceof IpcFormatError && /decompresses to 256 bytes, its length prefix says 264/.test(e.message));
    assert.throws(() => new BatchDecoder(schema).decode(frameOf(5n << 40n)), (e: unknown) => e instanceof IpcFormatError && /at most/.test(e.message));
  });
});

describe('compressFrame', () => {
  test('compresses record and dictionary batch bodies so that BatchDecoder reads them back', () => {
    const table = new Table({
      n: makeVector(Int32Array.from({ length: 5_000 }, (_, i) => i % 100)),
      city: vectorFromArray(Array.from({ length: 5_000 }, (_, i) => `city-${i % 7}`), new Dictionary(new Utf8(), new Int32())),
    });
    const batch = table.batches[0]!;
    const plain = encodeBatch(batch);
    const packed = plain.map((f) => compressFrame(f, CompressionType.LZ4_FRAME));
    assert.equal(packed.length, 2, 'a dictionary batch, then the record batch');
    // The dictionary's few short strings do not shrink: they are stored with the -1 prefix.
    assert.ok(packed[1]!.body.byteLength < plain[1]!.body.byteLength / 4, 'the record batch should shrink');
    const decoder = new BatchDecoder(batch.schema);
    assert.equal(decoder.decode(packed[0]!), null);
    const back = decoder.decode(packed[1]!)!;
    assert.deepEqual(back.toArray().map((r) => r.toJSON()), batch.toArray().map((r) => r.toJSON()));
  });
});
