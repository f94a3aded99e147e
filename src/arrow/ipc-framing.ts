// Arrow IPC encapsulation: how one message (flatbuffer header + body) sits in a stream.
//   0xFFFFFFFF | int32 header length incl. padding | header | pad to 8 | body
// Pure byte handling; nothing here decodes Arrow data.

export interface IpcFrame {
  /** The flatbuffer Message, without continuation marker or length prefix. */
  header: Uint8Array;
  body: Uint8Array;
}

const CONTINUATION = 0xffffffff;
export const END_OF_STREAM = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

export const padding8 = (n: number) => (8 - (n % 8)) % 8;

/** Bytes of the prefix and padded header that precede the body of a framed message. */
export function framePrefix(header: Uint8Array): Uint8Array {
  const pad = padding8(8 + header.byteLength);
  const out = new Uint8Array(8 + header.byteLength + pad);
  const view = new DataView(out.buffer);
  view.setUint32(0, CONTINUATION, true);
  view.setInt32(4, header.byteLength + pad, true);
  out.set(header, 8);
  return out;
}

/** Serializes frames as one IPC stream, with the end-of-stream marker when `end` is set. */
export function encodeStream(frames: Iterable<IpcFrame>, end = true): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of frames) {
    parts.push(framePrefix(f.header));
    if (f.body.byteLength > 0) parts.push(f.body);
  }
  if (end) parts.push(END_OF_STREAM);
  return Buffer.concat(parts);
}

/**
 * Splits a complete IPC stream held in memory into frames. Header and body are views of
 * `bytes`, not copies. Accepts the pre-1.0 format without continuation markers.
 */
export function* decodeStream(bytes: Uint8Array): Generator<IpcFrame> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  while (pos + 4 <= bytes.byteLength) {
    let len = view.getInt32(pos, true);
    pos += 4;
    if (len === -1) {
      if (pos + 4 > bytes.byteLength) break;
      len = view.getInt32(pos, true);
      pos += 4;
    }
    if (len === 0) return;
    if (len < 0 || pos + len > bytes.byteLength) throw new Error(`truncated IPC stream: message header of ${len} bytes at offset ${pos}`);
    const header = bytes.subarray(pos, pos + len);
    pos += len;
    const bodyLength = readBodyLength(header);
    if (pos + bodyLength > bytes.byteLength) throw new Error(`truncated IPC stream: body of ${bodyLength} bytes at offset ${pos}`);
    yield { header, body: bytes.subarray(pos, pos + bodyLength) };
    pos += bodyLength;
  }
}

export const MESSAGE_SCHEMA = 1;
export const MESSAGE_DICTIONARY_BATCH = 2;
export const MESSAGE_RECORD_BATCH = 3;

/**
 * Offset within `view` of field `slot` of the Message table, or 0 when absent. Lets framing read
 * the two scalars it needs without a full decode. Flatbuffer layout: a root uoffset to the table,
 * the table starts with an soffset to its vtable, the vtable lists field offsets from byte 4.
 * Message slots: 0 version, 1 header_type, 2 header, 3 bodyLength, 4 custom_metadata.
 */
function messageFieldOffset(view: DataView, slot: number): number {
  if (view.byteLength < 8) throw new Error(`IPC message header of ${view.byteLength} bytes is too short`);
  const table = view.getUint32(0, true);
  if (table + 4 > view.byteLength) throw new Error('IPC message header: root table offset out of range');
  const vtable = table - view.getInt32(table, true);
  if (vtable < 0 || vtable + 4 > view.byteLength) throw new Error('IPC message header: vtable out of range');
  const entry = 4 + 2 * slot;
  if (entry + 2 > view.getUint16(vtable, true)) return 0;
  const offset = view.getUint16(vtable + entry, true);
  return offset === 0 ? 0 : table + offset;
}

const viewOf = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Message.header_type: MESSAGE_SCHEMA, MESSAGE_DICTIONARY_BATCH, MESSAGE_RECORD_BATCH, or 0. */
export function messageHeaderType(header: Uint8Array): number {
  const view = viewOf(header);
  const at = messageFieldOffset(view, 1);
  if (at === 0) return 0;
  if (at + 1 > view.byteLength) throw new Error('IPC message header: header_type out of range');
  return view.getUint8(at);
}

export function readBodyLength(header: Uint8Array): number {
  const view = viewOf(header);
  const at = messageFieldOffset(view, 3);
  if (at === 0) return 0;
  if (at + 8 > view.byteLength) throw new Error('IPC message header: bodyLength out of range');
  const value = view.getBigInt64(at, true);
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`IPC message header: invalid bodyLength ${value}`);
  return Number(value);
}
