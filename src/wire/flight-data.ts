// FlightData on the wire, by hand. grpc-js hands DoGet/DoPut/DoExchange messages to these
// functions as raw Buffers; decoding returns views of that Buffer so a record batch body is
// never copied by protobuf decoding, and encoding copies header and body exactly once. A message
// that is sent many times (a cached file's frames) can be encoded once, up front: its header
// and body then live inside its own encoding, and the serializer hands that Buffer to grpc-js
// as it is (grpc-js still copies it once more, behind its 5-byte length prefix).
import { ProtobufReader, WIRE_LEN, WIRE_VARINT, lenFieldSize, writeLenField } from './protobuf-wire.ts';

export type DescriptorType = 'UNKNOWN' | 'PATH' | 'CMD';

export interface FlightDescriptorValue {
  type: DescriptorType;
  cmd: Uint8Array;
  path: string[];
}

/** One FlightData message: descriptor, IPC message header, app_metadata and body. */
export interface FlightDataMessage {
  descriptor?: FlightDescriptorValue;
  /** IPC Message flatbuffer; empty for a metadata-only message. */
  header: Uint8Array;
  body: Uint8Array;
  /** Absent, never empty: some clients treat an empty app_metadata field as a value. */
  appMetadata?: Uint8Array;
}

const FIELD_DESCRIPTOR = 1;
const FIELD_HEADER = 2;
const FIELD_APP_METADATA = 3;
const FIELD_BODY = 1000;
const EMPTY = new Uint8Array(0);
const DESCRIPTOR_TYPES: DescriptorType[] = ['UNKNOWN', 'PATH', 'CMD'];
const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** Decodes FlightData bytes without copying the body. */
export function decodeFlightData(buf: Uint8Array): FlightDataMessage {
  const r = new ProtobufReader(buf);
  const msg: FlightDataMessage = { header: EMPTY, body: EMPTY };
  while (!r.done) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire !== WIRE_LEN) { r.skip(wire); continue; }
    switch (field) {
      case FIELD_DESCRIPTOR: msg.descriptor = decodeDescriptor(r.bytes()); break;
      case FIELD_HEADER: msg.header = r.bytes(); break;
      case FIELD_APP_METADATA: { const m = r.bytes(); if (m.byteLength > 0) msg.appMetadata = m; break; }
      case FIELD_BODY: msg.body = r.bytes(); break;
      default: r.skip(wire);
    }
  }
  return msg;
}

export function decodeDescriptor(buf: Uint8Array): FlightDescriptorValue {
  const r = new ProtobufReader(buf);
  const d: FlightDescriptorValue = { type: 'UNKNOWN', cmd: EMPTY, path: [] };
  while (!r.done) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 1 && wire === WIRE_VARINT) d.type = DESCRIPTOR_TYPES[r.varint()] ?? 'UNKNOWN';
    else if (field === 2 && wire === WIRE_LEN) d.cmd = r.bytes();
    else if (field === 3 && wire === WIRE_LEN) d.path.push(utf8.decode(r.bytes()));
    else r.skip(wire);
  }
  return d;
}

function encodeDescriptor(d: FlightDescriptorValue): Uint8Array {
  const paths = d.path.map((p) => utf8Encoder.encode(p));
  const typeNum = DESCRIPTOR_TYPES.indexOf(d.type);
  let size = typeNum > 0 ? 2 : 0;
  if (d.cmd.byteLength > 0) size += lenFieldSize(2, d.cmd.byteLength);
  for (const p of paths) size += lenFieldSize(3, p.byteLength);
  const out = new Uint8Array(size);
  let pos = 0;
  if (typeNum > 0) { out[pos++] = 0x08; out[pos++] = typeNum; }
  if (d.cmd.byteLength > 0) pos = writeLenField(out, pos, 2, d.cmd);
  for (const p of paths) pos = writeLenField(out, pos, 3, p);
  return out;
}

/** Encodings made by prebuiltFlightData, by message object: a copied or changed message is not in it. */
const prebuilt = new WeakMap<FlightDataMessage, Buffer>();

/**
 * The message encoded once: a message of the same content whose header, body and app_metadata
 * are views into its own FlightData encoding (the body 8-byte aligned in memory, as arrow-js
 * wants it for zero-copy reads), which encodeFlightData then returns without copying. The
 * encoding is kept only for this exact object; one made from it by spreading is encoded anew.
 */
export function prebuiltFlightData<M extends FlightDataMessage>(msg: M): M {
  if (prebuilt.has(msg) || msg.descriptor) return msg; // a descriptor rides on first messages only: not worth it
  const size = encodedSize(msg, undefined);
  const bodyAt = size - msg.body.byteLength;
  // A fresh allocation starts 8-byte aligned; the encoding starts so that its body is too.
  const whole = Buffer.allocUnsafeSlow(size + 7);
  const start = (8 - (bodyAt % 8)) % 8;
  const out = whole.subarray(start, start + size);
  const at = writeFields(out, msg, undefined);
  const view = (field: Uint8Array, end: number) => out.subarray(end - field.byteLength, end);
  const built = { ...msg, header: view(msg.header, at.header), body: view(msg.body, at.body) } as M;
  if (msg.appMetadata && msg.appMetadata.byteLength > 0) built.appMetadata = view(msg.appMetadata, at.appMetadata);
  prebuilt.set(built, out);
  return built;
}

/** Encodes a FlightData message (returns the prebuilt encoding of a message made by prebuiltFlightData). */
export function encodeFlightData(msg: FlightDataMessage): Buffer {
  const pre = prebuilt.get(msg);
  if (pre) return pre;
  const descriptor = msg.descriptor ? encodeDescriptor(msg.descriptor) : undefined;
  const size = encodedSize(msg, descriptor);
  const out = Buffer.allocUnsafe(size);
  writeFields(out, msg, descriptor);
  return out;
}

function encodedSize(msg: FlightDataMessage, descriptor: Uint8Array | undefined): number {
  let size = 0;
  if (descriptor) size += lenFieldSize(FIELD_DESCRIPTOR, descriptor.byteLength);
  if (msg.header.byteLength > 0) size += lenFieldSize(FIELD_HEADER, msg.header.byteLength);
  if (msg.appMetadata && msg.appMetadata.byteLength > 0) size += lenFieldSize(FIELD_APP_METADATA, msg.appMetadata.byteLength);
  if (msg.body.byteLength > 0) size += lenFieldSize(FIELD_BODY, msg.body.byteLength);
  return size;
}

/** Writes the fields in order; returns where each field's bytes end. */
function writeFields(out: Uint8Array, msg: FlightDataMessage, descriptor: Uint8Array | undefined): { header: number; appMetadata: number; body: number } {
  let pos = 0;
  if (descriptor) pos = writeLenField(out, pos, FIELD_DESCRIPTOR, descriptor);
  if (msg.header.byteLength > 0) pos = writeLenField(out, pos, FIELD_HEADER, msg.header);
  const header = pos;
  if (msg.appMetadata && msg.appMetadata.byteLength > 0) pos = writeLenField(out, pos, FIELD_APP_METADATA, msg.appMetadata);
  const appMetadata = pos;
  if (msg.body.byteLength > 0) pos = writeLenField(out, pos, FIELD_BODY, msg.body);
  if (pos !== out.byteLength) throw new Error(`FlightData encoder wrote ${pos} of ${out.byteLength} bytes`);
  return { header, appMetadata, body: pos };
}
