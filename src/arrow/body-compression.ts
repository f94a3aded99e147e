// Arrow IPC body compression (Message.fbs BodyCompression, method BUFFER) on encoded messages:
// every buffer of a record or dictionary batch body becomes an int64 little-endian uncompressed
// length (-1: stored as is) followed by the codec's bytes, each padded to 8 bytes.
//
// quiver compresses bodies itself rather than through arrow-js's RecordBatchWriter option:
// arrow-js 21's writer (_compressBodyBuffers in ipc/writer) puts the *compressed* length in
// the prefix, so Arrow C++ readers allocate too little and fail ("Lz4 decompression buffer too
// small"); arrow-js's own reader ignores the prefix, which hides the mistake. Fixed upstream
// by apache/arrow-js pull request 470, which the 21.2.0 quiver pins does not have; once quiver moves to a
// release with it, the writer's compressionType option could replace compressFrame.
import { CompressionType, Message, MessageHeader } from 'apache-arrow';
import { BodyCompression, BufferRegion, DictionaryBatch, RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import { CorruptCompressedDataError, codecName, compressBuffer, decompressBuffer } from './compression-codecs.ts';
import { padding8, type IpcFrame } from './ipc-framing.ts';
import { IpcFormatError } from './ipc-message.ts';

/** Far more than a lookup batch needs, and within what one ArrayBuffer can hold. */
export const MAX_DECOMPRESSED_BODY_BYTES = 1024 * 1024 * 1024;
const NOT_COMPRESSED = -1n;

/** Lays buffers out as a body: each at an 8-byte aligned offset. */
function layOut(parts: Uint8Array[]): { regions: BufferRegion[]; body: Uint8Array } {
  const regions: BufferRegion[] = [];
  let end = 0;
  for (const part of parts) {
    regions.push(new BufferRegion(end, part.byteLength));
    end += part.byteLength + padding8(part.byteLength);
  }
  const body = new Uint8Array(end);
  parts.forEach((part, i) => body.set(part, regions[i]!.offset));
  return { regions, body };
}

/**
 * A compressed body as an uncompressed one. Checks every declared length, so a corrupt or
 * truncated buffer is refused (IpcFormatError) rather than read short.
 */
export function decompressBody(header: RecordBatchHeader, body: Uint8Array): { header: RecordBatchHeader; body: Uint8Array } {
  const compression = header.compression;
  if (compression == null) return { header, body };
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const codec = codecName(compression.type);
  const parts: Uint8Array[] = [];
  let total = 0;
  header.buffers.forEach(({ offset, length }, i) => {
    const at = Number(offset);
    const size = Number(length);
    if (size === 0) return void parts.push(new Uint8Array(0));
    if (at < 0 || size < 8 || at + size > body.byteLength) throw new IpcFormatError(`${codec}-compressed buffer ${i} (${at}+${size}) does not hold its 8-byte length prefix inside the ${body.byteLength}-byte body`);
    const declared = view.getBigInt64(at, true);
    const bytes = body.subarray(at + 8, at + size);
    if (declared === NOT_COMPRESSED) return void parts.push(bytes);
    if (declared < 0n || total + Number(declared) > MAX_DECOMPRESSED_BODY_BYTES) throw new IpcFormatError(`${codec}-compressed buffer ${i} declares ${declared} uncompressed bytes; a batch may decompress to at most ${MAX_DECOMPRESSED_BODY_BYTES} (send smaller batches)`);
    let out: Uint8Array;
    try {
      out = decompressBuffer(compression.type, bytes, Number(declared));
    } catch (e) {
      if (e instanceof CorruptCompressedDataError) throw new IpcFormatError(`buffer ${i} does not decompress: ${e.message}`);
      throw e;
    }
    if (out.byteLength !== Number(declared)) throw new IpcFormatError(`${codec}-compressed buffer ${i} decompresses to ${out.byteLength} bytes, its length prefix says ${declared}`);
    parts.push(out);
    total += out.byteLength;
  });
  const { regions, body: flat } = layOut(parts);
  return { header: new RecordBatchHeader(header.length, header.nodes, regions, null, header.variadicBufferCounts, header.metadata), body: flat };
}

function compressBody(header: RecordBatchHeader, body: Uint8Array, type: CompressionType): { header: RecordBatchHeader; body: Uint8Array } {
  const parts = header.buffers.map(({ offset, length }) => {
    const size = Number(length);
    if (size === 0) return new Uint8Array(0);
    const raw = body.subarray(Number(offset), Number(offset) + size);
    const packed = compressBuffer(type, raw);
    // As Arrow C++ does: a buffer that would not shrink is stored as is.
    const keep = packed.byteLength < raw.byteLength;
    const out = new Uint8Array(8 + (keep ? packed.byteLength : size));
    new DataView(out.buffer).setBigInt64(0, keep ? BigInt(size) : NOT_COMPRESSED, true);
    out.set(keep ? packed : raw, 8);
    return out;
  });
  const { regions, body: packedBody } = layOut(parts);
  return { header: new RecordBatchHeader(header.length, header.nodes, regions, new BodyCompression(type), header.variadicBufferCounts, header.metadata), body: packedBody };
}

/** A record or dictionary batch frame with its body compressed; other frames as they are. */
export function compressFrame(frame: IpcFrame, type: CompressionType): IpcFrame {
  const message = Message.decode(frame.header.byteOffset % 8 === 0 ? frame.header : new Uint8Array(frame.header));
  if (message.headerType === MessageHeader.RecordBatch) {
    const rb = message.header() as unknown as RecordBatchHeader;
    if (rb.compression != null) return frame;
    const { header, body } = compressBody(rb, frame.body, type);
    return { header: Message.encode(Message.from(header, body.byteLength)), body };
  }
  if (message.headerType === MessageHeader.DictionaryBatch) {
    const db = message.header() as unknown as DictionaryBatch;
    if (db.data.compression != null) return frame;
    const { header, body } = compressBody(db.data, frame.body, type);
    return { header: Message.encode(Message.from(new DictionaryBatch(header, db.id, db.isDelta), body.byteLength)), body };
  }
  return frame;
}
