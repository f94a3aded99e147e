// LZ4 frame and zstd bodies are bounded by what they really decode to, not by the lengths they
// declare: a few bytes claiming a gigabyte are refused without a gigabyte being allocated
// (issue 9, item 3). The record-batch level (DoPut, DoExchange) is in validate-batches.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CompressionType } from 'apache-arrow';
import xxh32 from 'lz4js/xxh32.js';
import { CorruptCompressedDataError, decompressBuffer } from '../../src/arrow/compression-codecs.ts';

const GIB = 1024 * 1024 * 1024;
const u32 = (n: number) => new Uint8Array(new Uint32Array([n >>> 0]).buffer);
const u64 = (n: number) => new Uint8Array(new BigUint64Array([BigInt(n)]).buffer);
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** The largest Uint8Array allocated while `run` runs (the codecs allocate through the global). */
function largestAllocation(run: () => void): number {
  const Original = globalThis.Uint8Array;
  let largest = 0;
  class Tracking extends Original {
    constructor(...args: unknown[]) {
      super(...(args as [number]));
      largest = Math.max(largest, this.length);
    }
  }
  globalThis.Uint8Array = Tracking as unknown as Uint8ArrayConstructor;
  try {
    run();
  } catch {
    // the caller checks the outcome separately
  } finally {
    globalThis.Uint8Array = Original;
  }
  return largest;
}

/** An LZ4 frame declaring `claimed` bytes of content, holding one stored block of `data`. */
function lz4Frame(claimed: number, data: Uint8Array): Uint8Array {
  const descriptor = concat(new Uint8Array([0x48, 0x70]), u64(claimed));
  const checksum = (xxh32.hash(0, descriptor, 0, descriptor.length) >>> 8) & 0xff;
  return concat(u32(0x184d2204), descriptor, new Uint8Array([checksum]), u32(0x80000000 | data.length), data, u32(0));
}

/** A single-segment zstd frame declaring `claimed` bytes of content, holding one RLE block of `runs` bytes. */
function zstdFrame(claimed: number, runs: number, value: number): Uint8Array {
  const block = 1 | (1 << 1) | (runs << 3);
  return concat(u32(0xfd2fb528), new Uint8Array([0xe0]), u64(claimed), new Uint8Array([block & 0xff, (block >> 8) & 0xff, block >> 16, value]));
}

describe('compressed buffers are bounded by what they decode to', () => {
  test('an honest LZ4 frame and an honest zstd frame decode', () => {
    const data = new Uint8Array(10).fill(7);
    assert.deepEqual(decompressBuffer(CompressionType.LZ4_FRAME, lz4Frame(10, data), 10), data);
    assert.deepEqual(decompressBuffer(CompressionType.ZSTD, zstdFrame(100, 100, 9), 100), new Uint8Array(100).fill(9));
  });

  test('a tiny LZ4 frame claiming a gigabyte is refused without a large allocation', () => {
    const frame = lz4Frame(GIB, new Uint8Array(10));
    assert.throws(() => decompressBuffer(CompressionType.LZ4_FRAME, frame, GIB), (e: Error) => e instanceof CorruptCompressedDataError && /declares 1073741824 bytes/.test(e.message));
    const largest = largestAllocation(() => decompressBuffer(CompressionType.LZ4_FRAME, frame, GIB));
    assert.ok(largest < 1 << 20, `allocated ${largest} bytes for a ${frame.length}-byte frame`);
  });

  test('a tiny zstd frame claiming a gigabyte is refused, not returned as a gigabyte of zeros', () => {
    const frame = zstdFrame(GIB, 100, 9);
    assert.throws(() => decompressBuffer(CompressionType.ZSTD, frame, GIB), (e: Error) => e instanceof CorruptCompressedDataError && /declares 1073741824 bytes/.test(e.message));
  });

  test('output beyond the caller\'s limit is refused', () => {
    assert.throws(() => decompressBuffer(CompressionType.LZ4_FRAME, lz4Frame(10, new Uint8Array(10)), 9), CorruptCompressedDataError);
    assert.throws(() => decompressBuffer(CompressionType.ZSTD, zstdFrame(100, 100, 1), 99), CorruptCompressedDataError);
  });

  test('LZ4 blocks that claim large outputs allocate in step with what they produce', () => {
    // 2,000 one-byte compressed blocks (each a lone literal): a 4 MiB block maximum would have
    // reserved 8 GB up front.
    const blocks = Array.from({ length: 2000 }, () => concat(u32(2), new Uint8Array([0x10, 0x41])));
    const descriptor = new Uint8Array([0x40, 0x70]);
    const checksum = (xxh32.hash(0, descriptor, 0, 2) >>> 8) & 0xff;
    const frame = concat(u32(0x184d2204), descriptor, new Uint8Array([checksum]), ...blocks, u32(0));
    let out: Uint8Array | undefined;
    const largest = largestAllocation(() => { out = decompressBuffer(CompressionType.LZ4_FRAME, frame, GIB); });
    assert.ok(out && Buffer.from(out).equals(Buffer.alloc(2000, 0x41)), "the blocks decode to their 2000 literals");
    assert.ok(largest < 4 << 20, `allocated ${largest} bytes for 2000 bytes of output`);
  });
});
