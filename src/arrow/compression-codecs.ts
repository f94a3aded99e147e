// The LZ4 frame and zstd codecs of Arrow IPC body compression (Message.fbs BodyCompression).
// arrow-js 21 decompresses a compressed body only through a codec registered in its
// compressionRegistry and ships none, and Node 20's zlib has neither codec, so this module
// registers pure-JS decoders on import: lz4js for LZ4 blocks (wrapped in a frame reader of our
// own, below) and fzstd for zstd. Only LZ4 also encodes (lz4js's frame writer, which keeps
// matches within the format's 64 KiB window), for quiver/client's `compression: 'lz4'`, through
// body-compression.ts rather than arrow-js's writer (see there why); fzstd has no encoder.
//
// Imported by the client's entry point (arrow-js's stream readers then decode compressed
// streams) and used directly by BatchDecoder, which knows each buffer's declared length and so
// checks it.
import { CompressionType, compressionRegistry } from 'apache-arrow';
import { decompress as zstdDecompress } from 'fzstd';
import lz4 from 'lz4js';
import xxh32 from 'lz4js/xxh32.js';

/** The codec could not decode the bytes, or they do not decode to what the frame says. */
export class CorruptCompressedDataError extends Error {}

const LZ4_MAGIC = 0x184d2204;
// Skippable frames (0x184D2A50..5F) carry no data; the format lets them sit between frames.
const isSkippable = (magic: number) => (magic & 0xfffffff0) === 0x184d2a50;
const LZ4_BLOCK_MAX: Record<number, number> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 };

const u32 = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

interface Lz4Frame {
  start: number;
  end: number;
  blockChecksums: boolean;
  contentChecksum: boolean;
  contentSize: number | null;
  /** [offset of the block's data, its length, stored uncompressed] for every data block. */
  blocks: [number, number, boolean][];
  /** At most this many bytes of output. */
  bound: number;
}

/**
 * Reads an LZ4 frame's header and block table (the LZ4 Frame Format spec), checking that every
 * block lies inside the input. lz4js's own frame reader misplaces block checksums (it reads them
 * before the block's data, the spec puts them after), checks no checksum, and writes past the
 * end of its output without noticing, so quiver only borrows its block decoder.
 */
function readLz4Frame(src: Uint8Array, start: number): Lz4Frame {
  const fail = (why: string) => new CorruptCompressedDataError(`LZ4 frame at byte ${start}: ${why}`);
  if (src.length - start < 7) throw fail('truncated frame header');
  if (u32(src, start) !== LZ4_MAGIC) throw fail('not an LZ4 frame (bad magic number)');
  const flg = src[start + 4]!;
  const bd = src[start + 5]!;
  if (flg >> 6 !== 1) throw fail(`unsupported frame version ${flg >> 6}`);
  if (flg & 0x01) throw fail('the frame needs a dictionary, which Arrow IPC never uses');
  const blockMax = LZ4_BLOCK_MAX[(bd >> 4) & 7];
  if (blockMax === undefined || bd & 0x8f || flg & 0x02) throw fail('invalid frame descriptor');
  const blockChecksums = (flg & 0x10) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  let at = start + 6;
  let contentSize: number | null = null;
  if (flg & 0x08) {
    if (src.length - at < 9) throw fail('truncated frame header');
    const high = u32(src, at + 4);
    if (high > 0x1fffff) throw fail('content size beyond what this process can hold');
    contentSize = high * 2 ** 32 + u32(src, at);
    at += 8;
  }
  if (((xxh32.hash(0, src, start + 4, at - start - 4) >>> 8) & 0xff) !== src[at]) throw fail('frame header checksum mismatch');
  at += 1;
  const blocks: [number, number, boolean][] = [];
  let bound = 0;
  for (;;) {
    if (src.length - at < 4) throw fail('truncated before its end mark');
    const word = u32(src, at);
    at += 4;
    if (word === 0) break;
    const stored = (word & 0x80000000) !== 0;
    const length = word & 0x7fffffff;
    if (length > blockMax) throw fail(`a block of ${length} bytes exceeds the frame's maximum block size ${blockMax}`);
    if (src.length - at < length + (blockChecksums ? 4 : 0)) throw fail('truncated block');
    if (blockChecksums && xxh32.hash(0, src, at, length) !== u32(src, at + length)) throw fail('block checksum mismatch');
    blocks.push([at, length, stored]);
    bound += stored ? length : blockMax;
    at += length + (blockChecksums ? 4 : 0);
  }
  if (contentChecksum) {
    if (src.length - at < 4) throw fail('truncated content checksum');
    at += 4;
  }
  return { start, end: at, blockChecksums, contentChecksum, contentSize, blocks, bound: contentSize ?? bound };
}

/** Decodes one or more concatenated LZ4 frames. */
export function decodeLz4Frames(src: Uint8Array): Uint8Array {
  const frames: Lz4Frame[] = [];
  let total = 0;
  for (let at = 0; at < src.length; ) {
    if (src.length - at >= 8 && isSkippable(u32(src, at))) {
      at += 8 + u32(src, at + 4);
      continue;
    }
    const frame = readLz4Frame(src, at);
    frames.push(frame);
    total += frame.bound;
    at = frame.end;
  }
  if (frames.length === 0) throw new CorruptCompressedDataError('no LZ4 frame in the data');
  const out = new Uint8Array(total);
  let written = 0;
  for (const frame of frames) {
    const fail = (why: string) => new CorruptCompressedDataError(`LZ4 frame at byte ${frame.start}: ${why}`);
    const from = written;
    const limit = from + frame.bound;
    for (const [offset, length, stored] of frame.blocks) {
      if (stored) {
        if (written + length > limit) throw fail('more data than its declared content size');
        out.set(src.subarray(offset, offset + length), written);
        written += length;
      } else {
        // Arrow's C++ writer links blocks (a match may copy from earlier blocks of the frame),
        // so every block decodes into the one output buffer rather than on its own.
        const end = lz4.decompressBlock(src, out, offset, length, written);
        if (!(end <= limit)) throw fail('a block decodes to more data than the frame allows');
        written = end;
      }
    }
    if (frame.contentSize !== null && written - from !== frame.contentSize) throw fail(`decodes to ${written - from} bytes, its header says ${frame.contentSize}`);
    if (frame.contentChecksum && xxh32.hash(0, out, from, written - from) !== u32(src, frame.end - 4)) throw fail('content checksum mismatch');
  }
  return written === out.length ? out : out.slice(0, written);
}

function decodeZstd(src: Uint8Array): Uint8Array {
  try {
    return zstdDecompress(src);
  } catch (e) {
    throw new CorruptCompressedDataError(`zstd: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const DECODERS: Record<CompressionType, (src: Uint8Array) => Uint8Array> = {
  [CompressionType.LZ4_FRAME]: decodeLz4Frames,
  [CompressionType.ZSTD]: decodeZstd,
};

/** The codec's name as Message.fbs spells it, for messages. */
export const codecName = (type: CompressionType) => CompressionType[type] ?? `compression type ${type}`;

/**
 * Decodes one compressed buffer's bytes (after the 8-byte length prefix), 8-byte aligned: arrow-js
 * views a buffer as typed arrays in place, and fzstd may return a view into a larger block.
 */
export function decompressBuffer(type: CompressionType, src: Uint8Array): Uint8Array {
  const decode = DECODERS[type];
  if (!decode) throw new CorruptCompressedDataError(`unknown body compression ${codecName(type)}`);
  const out = decode(src);
  return out.byteOffset % 8 === 0 ? out : out.slice();
}

/** One buffer's bytes compressed (without the length prefix). */
export function compressBuffer(type: CompressionType, src: Uint8Array): Uint8Array {
  if (type !== CompressionType.LZ4_FRAME) throw new Error(`quiver cannot write ${codecName(type)} compressed bodies, only LZ4_FRAME`);
  return lz4.compress(src);
}

// Decoders only: arrow-js's writer would misuse an encoder (body-compression.ts says how).
for (const type of [CompressionType.LZ4_FRAME, CompressionType.ZSTD]) {
  compressionRegistry.set(type, { decode: (src) => decompressBuffer(type, src) });
}

/** Body compressions quiver/client can write, as pyarrow's IpcWriteOptions names them. */
export type WriteCompression = 'lz4';
export const WRITE_COMPRESSION: Record<WriteCompression, CompressionType> = { lz4: CompressionType.LZ4_FRAME };
