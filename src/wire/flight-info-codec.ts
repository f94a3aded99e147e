// FlightInfo on the wire, by hand. GetFlightInfo and ListFlights answer with FlightInfo, and
// protobufjs's generic path (fromObject, then reflection-driven encode) was the largest share of
// a GetFlightInfo call's CPU. The messages quiver builds have a small fixed shape; this writes
// exactly that shape and gives up (returns null) on anything else, which then goes through
// protobufjs as before, so no field can be dropped silently.
import { WIRE_LEN, lenFieldSize, varintSize, writeLenField, writeVarint } from './protobuf-wire.ts';

const DESCRIPTOR_TYPES: Record<string, number> = { UNKNOWN: 0, PATH: 1, CMD: 2 };
const utf8 = new TextEncoder();
const WIRE_VARINT_TAG = (field: number) => field << 3;

type Bytes = Uint8Array;
const isBytes = (v: unknown): v is Bytes => v instanceof Uint8Array;
const onlyKeys = (o: object, keys: readonly string[]) => Object.keys(o).every((k) => keys.includes(k));

/** A message being written: its fields in order, each one already encoded. */
class Fields {
  readonly parts: Bytes[] = [];
  size = 0;

  /** A bytes or string field; proto3 leaves an empty one out. */
  bytes(field: number, value: Bytes | undefined): void {
    if (!value || value.byteLength === 0) return;
    this.element(field, value);
  }

  /** An element of a repeated field: written even when empty. */
  element(field: number, value: Bytes): void {
    const out = new Uint8Array(lenFieldSize(field, value.byteLength));
    writeLenField(out, 0, field, value);
    this.push(out);
  }

  message(field: number, inner: Fields): void {
    const head = new Uint8Array(varintSize((field << 3) | WIRE_LEN) + varintSize(inner.size));
    writeVarint(head, writeVarint(head, 0, (field << 3) | WIRE_LEN), inner.size);
    this.push(head);
    for (const p of inner.parts) this.push(p);
  }

  /** An int64 / int32 / bool / enum; negative values as 64-bit two's complement, as protobuf does. */
  varint(field: number, value: number): void {
    if (value === 0) return;
    const tag = WIRE_VARINT_TAG(field);
    if (value < 0) {
      const out = new Uint8Array(varintSize(tag) + 10);
      let pos = writeVarint(out, 0, tag);
      let v = BigInt.asUintN(64, BigInt(value));
      while (v >= 0x80n) {
        out[pos++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      out[pos++] = Number(v);
      this.push(out.subarray(0, pos));
      return;
    }
    const out = new Uint8Array(varintSize(tag) + varintSize(value));
    writeVarint(out, writeVarint(out, 0, tag), value);
    this.push(out);
  }

  private push(p: Bytes): void {
    this.parts.push(p);
    this.size += p.byteLength;
  }
}

const safeInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

function descriptor(d: Record<string, unknown>): Fields | null {
  if (!onlyKeys(d, ['type', 'cmd', 'path'])) return null;
  const f = new Fields();
  const type = typeof d.type === 'string' ? DESCRIPTOR_TYPES[d.type] : d.type === undefined ? 0 : d.type;
  if (!safeInt(type) || type < 0) return null;
  f.varint(1, type);
  if (d.cmd !== undefined && d.cmd !== null) {
    if (!isBytes(d.cmd)) return null;
    f.bytes(2, d.cmd);
  }
  if (d.path !== undefined && d.path !== null) {
    if (!Array.isArray(d.path) || !d.path.every((p) => typeof p === 'string')) return null;
    // An empty path element is still an element.
    for (const p of d.path as string[]) f.element(3, utf8.encode(p));
  }
  return f;
}

function endpoint(e: Record<string, unknown>): Fields | null {
  if (!onlyKeys(e, ['ticket', 'location', 'expiration_time', 'app_metadata'])) return null;
  const f = new Fields();
  if (e.ticket !== undefined && e.ticket !== null) {
    const t = e.ticket as Record<string, unknown>;
    if (typeof t !== 'object' || !onlyKeys(t, ['ticket']) || (t.ticket !== undefined && !isBytes(t.ticket))) return null;
    const tf = new Fields();
    tf.bytes(1, t.ticket as Bytes | undefined);
    f.message(1, tf);
  }
  if (e.location !== undefined && e.location !== null) {
    if (!Array.isArray(e.location)) return null;
    for (const l of e.location as Record<string, unknown>[]) {
      if (typeof l !== 'object' || l === null || !onlyKeys(l, ['uri']) || (l.uri !== undefined && typeof l.uri !== 'string')) return null;
      const lf = new Fields();
      lf.bytes(1, l.uri ? utf8.encode(l.uri as string) : undefined);
      f.message(2, lf);
    }
  }
  if (e.expiration_time !== undefined && e.expiration_time !== null) {
    const t = e.expiration_time as Record<string, unknown>;
    if (typeof t !== 'object' || !onlyKeys(t, ['seconds', 'nanos'])) return null;
    const seconds = t.seconds ?? 0;
    const nanos = t.nanos ?? 0;
    if (!safeInt(seconds) || !safeInt(nanos)) return null;
    const tf = new Fields();
    tf.varint(1, seconds);
    tf.varint(2, nanos);
    f.message(3, tf);
  }
  if (e.app_metadata !== undefined && e.app_metadata !== null) {
    if (!isBytes(e.app_metadata)) return null;
    f.bytes(4, e.app_metadata);
  }
  return f;
}

/** The FlightInfo's protobuf encoding, or null when it holds anything this writer does not know. */
export function encodeFlightInfo(info: object): Buffer | null {
  const i = info as Record<string, unknown>;
  if (!onlyKeys(i, ['schema', 'flight_descriptor', 'endpoint', 'total_records', 'total_bytes', 'ordered', 'app_metadata'])) return null;
  const f = new Fields();
  if (i.schema !== undefined && i.schema !== null) {
    if (!isBytes(i.schema)) return null;
    f.bytes(1, i.schema);
  }
  if (i.flight_descriptor !== undefined && i.flight_descriptor !== null) {
    if (typeof i.flight_descriptor !== 'object') return null;
    const d = descriptor(i.flight_descriptor as Record<string, unknown>);
    if (!d) return null;
    f.message(2, d);
  }
  if (i.endpoint !== undefined && i.endpoint !== null) {
    if (!Array.isArray(i.endpoint)) return null;
    for (const e of i.endpoint as unknown[]) {
      if (typeof e !== 'object' || e === null) return null;
      const ef = endpoint(e as Record<string, unknown>);
      if (!ef) return null;
      f.message(3, ef);
    }
  }
  for (const [field, key] of [[4, 'total_records'], [5, 'total_bytes']] as const) {
    const v = i[key] ?? 0;
    if (!safeInt(v)) return null;
    f.varint(field, v);
  }
  if (i.ordered !== undefined && i.ordered !== null) {
    if (typeof i.ordered !== 'boolean') return null;
    f.varint(6, i.ordered ? 1 : 0);
  }
  if (i.app_metadata !== undefined && i.app_metadata !== null) {
    if (!isBytes(i.app_metadata)) return null;
    f.bytes(7, i.app_metadata);
  }
  return Buffer.concat(f.parts, f.size);
}
