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

// An LZ4 sequence turns each input byte into at most 255 output bytes (a 0xFF length byte),
// so a block of n bytes decodes to less than 255 * n plus one sequence's constant part.
const lz4BlockBound = (length: number) => 255 * length + 64;

interface Lz4Frame {
  start: number;
  end: number;
  blockChecksums: boolean;
  contentChecksum: boolean;
  contentSize: number | null;
  /** [offset of the block's data, its length, stored uncompressed] for every data block. */
  blocks: [number, number, boolean][];
  /** The largest block the frame may hold. */
  blockMax: number;
  /** At most this many bytes of output: what its blocks can decode to, or its content size if less. */
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
    bound += stored ? length : Math.min(blockMax, lz4BlockBound(length));
    at += length + (blockChecksums ? 4 : 0);
  }
  if (contentChecksum) {
    if (src.length - at < 4) throw fail('truncated content checksum');
    at += 4;
  }
  // A frame claiming more content than its blocks can hold is refused before anything is allocated.
  if (contentSize !== null && contentSize > bound) throw fail(`declares ${contentSize} bytes of content, more than its ${at - start} bytes can decode to`);
  return { start, end: at, blockChecksums, contentChecksum, contentSize, blockMax, blocks, bound: contentSize ?? bound };
}

/**
 * Output that grows as a decoder really produces bytes, never beyond `limit`. The lengths a
 * frame declares (its content size, the Arrow length prefix) are claims: allocating them up
 * front lets a few bytes of input claiming gigabytes take gigabytes of memory.
 */
class BoundedOutput {
  bytes: Uint8Array;
  written = 0;

  constructor(readonly limit: number, private readonly fail: (why: string) => Error) {
    this.bytes = new Uint8Array(Math.min(limit, 64 << 10));
  }

  /** Room for `n` more bytes, at most up to the limit (a decoder writing past it is caught after). */
  reserve(n: number): void {
    const want = Math.min(this.written + n, this.limit);
    if (want <= this.bytes.length) return;
    const grown = new Uint8Array(Math.min(this.limit, Math.max(want, this.bytes.length * 2)));
    grown.set(this.bytes.subarray(0, this.written));
    this.bytes = grown;
  }

  /** Marks bytes up to `end` as written; refuses output beyond the limit. */
  advance(end: number): void {
    if (!(end <= this.limit)) throw this.fail(`decodes to more than the ${this.limit} bytes allowed`);
    this.written = end;
  }

  result(): Uint8Array {
    return this.written === this.bytes.length ? this.bytes : this.bytes.slice(0, this.written);
  }
}

/**
 * Decodes one or more concatenated LZ4 frames into at most `limit` bytes. Memory follows the
 * bytes the blocks really decode to, never the content size a frame declares.
 */
export function decodeLz4Frames(src: Uint8Array, limit = Number.MAX_SAFE_INTEGER): Uint8Array {
  const frames: Lz4Frame[] = [];
  for (let at = 0; at < src.length; ) {
    if (src.length - at >= 8 && isSkippable(u32(src, at))) {
      at += 8 + u32(src, at + 4);
      continue;
    }
    const frame = readLz4Frame(src, at);
    frames.push(frame);
    at = frame.end;
  }
  if (frames.length === 0) throw new CorruptCompressedDataError('no LZ4 frame in the data');
  const out = new BoundedOutput(limit, (why) => new CorruptCompressedDataError(`LZ4 data ${why}`));
  for (const frame of frames) {
    const fail = (why: string) => new CorruptCompressedDataError(`LZ4 frame at byte ${frame.start}: ${why}`);
    const from = out.written;
    if (frame.contentSize !== null && from + frame.contentSize > limit) throw fail(`declares ${frame.contentSize} bytes of content, more than the ${limit} allowed`);
    const frameLimit = Math.min(limit, from + frame.bound);
    for (const [offset, length, stored] of frame.blocks) {
      if (stored) {
        if (out.written + length > frameLimit) throw fail('more data than its declared content size');
        out.reserve(length);
        out.bytes.set(src.subarray(offset, offset + length), out.written);
        out.advance(out.written + length);
      } else {
        // Arrow's C++ writer links blocks (a match may copy from earlier blocks of the frame),
        // so every block decodes into the one output buffer rather than on its own. lz4js
        // indexes absolutely and reads what it is given: the subarray keeps it inside the block.
        out.reserve(Math.min(lz4BlockBound(length), frame.blockMax));
        const end = lz4.decompressBlock(src.subarray(0, offset + length), out.bytes, offset, length, out.written);
        if (!(end <= frameLimit) || end > out.bytes.length) throw fail('a block decodes to more data than the frame allows');
        out.advance(end);
      }
    }
    const written = out.written;
    if (frame.contentSize !== null && written - from !== frame.contentSize) throw fail(`decodes to ${written - from} bytes, its header says ${frame.contentSize}`);
    if (frame.contentChecksum && xxh32.hash(0, out.bytes, from, written - from) !== u32(src, frame.end - 4)) throw fail('content checksum mismatch');
  }
  return out.result();
}

const ZSTD_MAGIC = 0xfd2fb528;
const ZSTD_BLOCK_MAX = 128 << 10;

interface ZstdFrame {
  start: number;
  end: number;
  contentSize: number | null;
  /** Most bytes its blocks can decode to: raw and RLE blocks exactly, compressed ones at most a block's maximum. */
  bound: number;
}

/**
 * Walks a zstd frame's header and block headers (RFC 8878) without decoding. fzstd allocates
 * its output from the frame's declared content size, or its window size, before it decodes
 * anything; this bounds both by what the blocks can really produce first.
 */
function readZstdFrame(src: Uint8Array, start: number): ZstdFrame {
  const fail = (why: string) => new CorruptCompressedDataError(`zstd frame at byte ${start}: ${why}`);
  if (src.length - start < 6) throw fail('truncated frame header');
  const fhd = src[start + 4]!;
  if (fhd & 0x08) throw fail('reserved bit set in the frame header');
  const singleSegment = (fhd & 0x20) !== 0;
  const fcsFlag = fhd >> 6;
  const dictBytes = [0, 1, 2, 4][fhd & 3]!;
  const fcsBytes = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
  let at = start + 5;
  let window = 0;
  if (!singleSegment) {
    const wd = src[at]!;
    const base = 2 ** (10 + (wd >> 3));
    window = base + (base / 8) * (wd & 7);
    at += 1;
  }
  at += dictBytes;
  if (src.length - at < fcsBytes) throw fail('truncated frame header');
  let contentSize: number | null = null;
  if (fcsBytes > 0) {
    let value = 0;
    for (let i = fcsBytes - 1; i >= 0; i--) value = value * 256 + src[at + i]!;
    contentSize = fcsBytes === 2 ? value + 256 : value;
    at += fcsBytes;
  }
  if (singleSegment) window = contentSize!;
  const blockMax = Math.min(ZSTD_BLOCK_MAX, window);
  let bound = 0;
  for (let last = false; !last; ) {
    if (src.length - at < 3) throw fail('truncated before its last block');
    const word = src[at]! | (src[at + 1]! << 8) | (src[at + 2]! << 16);
    at += 3;
    last = (word & 1) === 1;
    const type = (word >> 1) & 3;
    const size = word >>> 3;
    if (type === 3) throw fail('reserved block type');
    const stored = type === 1 ? 1 : size;
    if (src.length - at < stored) throw fail('truncated block');
    if (type !== 2 && size > blockMax) throw fail(`a block of ${size} bytes exceeds the frame's maximum block size ${blockMax}`);
    bound += type === 2 ? blockMax : size;
    at += stored;
  }
  if (fhd & 0x04) at += 4;
  if (at > src.length) throw fail('truncated content checksum');
  if (contentSize !== null && contentSize > bound) throw fail(`declares ${contentSize} bytes of content, more than its ${at - start} bytes can decode to`);
  return { start, end: at, contentSize, bound };
}

/** Decodes one or more concatenated zstd frames into at most `limit` bytes. */
function decodeZstd(src: Uint8Array, limit = Number.MAX_SAFE_INTEGER): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let at = 0; at < src.length; ) {
    if (src.length - at >= 8 && isSkippable(u32(src, at))) {
      at += 8 + u32(src, at + 4);
      continue;
    }
    if (src.length - at < 4 || u32(src, at) !== ZSTD_MAGIC) throw new CorruptCompressedDataError(`zstd data at byte ${at}: not a zstd frame (bad magic number)`);
    const frame = readZstdFrame(src, at);
    if (frame.contentSize !== null && total + frame.contentSize > limit) throw new CorruptCompressedDataError(`zstd frame at byte ${at}: declares ${frame.contentSize} bytes of content, more than the ${limit - total} allowed`);
    let bytes = src.subarray(at, frame.end);
    if (frame.contentSize === null) bytes = withWindowAtMost(bytes, Math.max(frame.bound, ZSTD_BLOCK_MAX));
    let out: Uint8Array;
    try {
      out = zstdDecompress(bytes);
    } catch (e) {
      throw new CorruptCompressedDataError(`zstd: ${e instanceof Error ? e.message : String(e)}`);
    }
    total += out.byteLength;
    if (total > limit) throw new CorruptCompressedDataError(`zstd data decodes to more than the ${limit} bytes allowed`);
    parts.push(out);
    at = frame.end;
  }
  if (parts.length === 0) throw new CorruptCompressedDataError('no zstd frame in the data');
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * The frame with its window descriptor lowered to the smallest window of at least `bytes`
 * (when it declares more): fzstd allocates the whole window up front, and a frame whose blocks
 * produce at most `bytes` never refers further back than that.
 */
function withWindowAtMost(frame: Uint8Array, bytes: number): Uint8Array {
  const wd = frame[5]!;
  const base = 2 ** (10 + (wd >> 3));
  if (base + (base / 8) * (wd & 7) <= bytes) return frame;
  const copy = frame.slice();
  copy[5] = Math.max(0, Math.ceil(Math.log2(bytes)) - 10) << 3;
  return copy;
}

const DECODERS: Record<CompressionType, (src: Uint8Array, limit?: number) => Uint8Array> = {
  [CompressionType.LZ4_FRAME]: decodeLz4Frames,
  [CompressionType.ZSTD]: decodeZstd,
};

/** The codec's name as Message.fbs spells it, for messages. */
export const codecName = (type: CompressionType) => CompressionType[type] ?? `compression type ${type}`;

/** What one compressed buffer may decode to when nothing tighter is known (arrow-js's readers). */
export const MAX_DECOMPRESSED_BUFFER_BYTES = 1024 * 1024 * 1024;

/**
 * Decodes one compressed buffer's bytes (after the 8-byte length prefix) into at most `limit`
 * bytes, 8-byte aligned: arrow-js views a buffer as typed arrays in place, and fzstd may return
 * a view into a larger block. Memory follows what the data really decodes to.
 */
export function decompressBuffer(type: CompressionType, src: Uint8Array, limit = MAX_DECOMPRESSED_BUFFER_BYTES): Uint8Array {
  const decode = DECODERS[type];
  if (!decode) throw new CorruptCompressedDataError(`unknown body compression ${codecName(type)}`);
  const out = decode(src, limit);
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
