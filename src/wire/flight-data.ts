// FlightData on the wire, by hand. grpc-js hands DoGet/DoPut/DoExchange messages to these
// functions as raw Buffers; decoding returns views of that Buffer so a record batch body is
// never copied by protobuf decoding, and encoding copies header and body exactly once.
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

/** Encodes a FlightData message, its body 8-byte aligned. */
export function encodeFlightData(msg: FlightDataMessage): Buffer {
  const descriptor = msg.descriptor ? encodeDescriptor(msg.descriptor) : undefined;
  let size = 0;
  if (descriptor) size += lenFieldSize(FIELD_DESCRIPTOR, descriptor.byteLength);
  if (msg.header.byteLength > 0) size += lenFieldSize(FIELD_HEADER, msg.header.byteLength);
  if (msg.appMetadata && msg.appMetadata.byteLength > 0) size += lenFieldSize(FIELD_APP_METADATA, msg.appMetadata.byteLength);
  if (msg.body.byteLength > 0) size += lenFieldSize(FIELD_BODY, msg.body.byteLength);
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  if (descriptor) pos = writeLenField(out, pos, FIELD_DESCRIPTOR, descriptor);
  if (msg.header.byteLength > 0) pos = writeLenField(out, pos, FIELD_HEADER, msg.header);
  if (msg.appMetadata && msg.appMetadata.byteLength > 0) pos = writeLenField(out, pos, FIELD_APP_METADATA, msg.appMetadata);
  if (msg.body.byteLength > 0) pos = writeLenField(out, pos, FIELD_BODY, msg.body);
  if (pos !== size) throw new Error(`FlightData encoder wrote ${pos} of ${size} bytes`);
  return out;
}

