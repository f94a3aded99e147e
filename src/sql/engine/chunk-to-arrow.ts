// DuckDB result chunks -> Arrow record batches by copying vector memory, never through per-value
// JS objects: the naive route (values -> vectorFromArray) took 53 s and 9.8 GB for 10M rows
// (shared/notes/duckdb.md). DuckDB hands out flat vectors of 2048 rows; each column sink below
// copies rows straight from the vector's native buffers into growing Arrow buffers, and the
// batcher cuts a record batch whenever those reach the byte budget, so batches stay under the
// clients' 4 MiB message limit and memory stays bounded whatever the result size. A result that
// goes straight to the wire is cut into IPC messages instead (pushIpc): the sinks' buffers are
// copied once into the message body and then reused, so no RecordBatch is assembled, no second
// body copy is made and the garbage collector has a third of the external memory to chase.
import duckdb from '@duckdb/node-bindings';
import {
  DuckDBArrayType, DuckDBDecimalType, DuckDBEnumType, DuckDBListType, DuckDBMapType, DuckDBStructType, DuckDBTypeId,
  type DuckDBDataChunk, type DuckDBType,
} from '@duckdb/node-api';
import {
  Data, DataType, Message, makeData, makeVector, RecordBatch, Schema, Struct, Utf8, type Dictionary, type Field, type Vector,
} from 'apache-arrow';
import { BufferRegion, FieldNode, RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import type { IpcFrame } from '../../arrow/ipc-framing.ts';

type Vec = duckdb.Vector;

/** Rows [start, start + count) of a DuckDB vector appended to Arrow buffers of one column. */
interface ColumnSink {
  append(vec: Vec, start: number, count: number): void;
  /** Bytes held in this sink's buffers (children included). */
  readonly bytes: number;
  /** The Arrow data of everything appended since the last finish; the sink starts empty again. */
  finish(): Data;
  /**
   * Everything appended since the last finish or reset as IPC field nodes and buffers (pre-order,
   * as the IPC body lays them out). The buffers are views of the sink's own memory: valid until
   * `reset`, which empties the sink and keeps that memory for the next batch.
   */
  writeIpc(out: IpcParts): void;
  reset(): void;
}

/** One record batch's IPC field nodes and body buffers, in order. */
interface IpcParts {
  nodes: FieldNode[];
  buffers: Uint8Array[];
}

const NO_BYTES = new Uint8Array(0);

/**
 * A byte buffer that grows by doubling; `take` hands its content over and starts anew. Only
 * bitmaps, whose bits are set one by one, need zeroed memory; value buffers are written in full
 * before they are read, so they skip the zeroing (a batch allocates megabytes of them).
 */
class Bytes {
  buf: Uint8Array;
  len = 0;
  constructor(private readonly initial = 4096, private readonly zeroed = false) {
    this.buf = this.allocate(initial);
  }
  private allocate(size: number): Uint8Array {
    return this.zeroed ? new Uint8Array(size) : new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size);
  }
  reserve(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.byteLength) return;
    let cap = Math.max(this.buf.byteLength * 2, this.initial);
    while (cap < need) cap *= 2;
    const next = this.allocate(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  push(src: Uint8Array): void {
    this.reserve(src.byteLength);
    this.buf.set(src, this.len);
    this.len += src.byteLength;
  }
  /** The bytes so far, still owned by this buffer (see clear). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
  /** Empty again, keeping the memory: what `view` returned is overwritten by later writes. */
  clear(): void {
    this.len = 0;
  }
  /** The bytes so far (the IPC encoder pads each buffer to 8 bytes). */
  take(): Uint8Array {
    const out = this.buf.subarray(0, this.len);
    this.buf = this.allocate(Math.max(this.initial, this.len));
    this.len = 0;
    return out;
  }
}

/** Arrow validity bitmap built from DuckDB's validity masks (same LSB bit order, 64-bit words). */
class Validity {
  private bits = new Bytes(256, true);
  length = 0;
  nulls = 0;

  /** DuckDB's mask for rows [0, start + count) of `vec`, or null when every row is valid. */
  static of(vec: Vec, start: number, count: number): Uint8Array | null {
    return duckdb.vector_get_validity(vec, Math.ceil((start + count) / 64) * 8);
  }

  append(mask: Uint8Array | null, start: number, count: number): void {
    const end = this.length + count;
    this.bits.reserve(Math.ceil(end / 8) - this.bits.len);
    const out = this.bits.buf;
    this.bits.len = Math.ceil(end / 8);
    if (mask === null && this.length % 8 === 0) {
      // All valid, byte-aligned (the common case): whole bytes at once.
      out.fill(0xff, this.length >> 3, end >> 3);
      if (end % 8) out[end >> 3] = (1 << (end % 8)) - 1;
      this.length = end;
      return;
    }
    for (let i = 0; i < count; i++) {
      const src = start + i;
      const valid = mask === null || (mask[src >> 3]! & (1 << (src & 7))) !== 0;
      const dst = this.length + i;
      if (valid) out[dst >> 3]! |= 1 << (dst & 7);
      else {
        out[dst >> 3]! &= ~(1 << (dst & 7));
        this.nulls++;
      }
    }
    this.length = end;
  }

  get bytes(): number {
    return this.bits.len;
  }

  /** This column's IPC field node and validity buffer (empty when nothing is null). */
  writeIpc(out: IpcParts): void {
    out.nodes.push(new FieldNode(this.length, this.nulls));
    out.buffers.push(this.nulls > 0 ? this.bits.view() : NO_BYTES);
  }

  reset(): void {
    this.bits.clear();
    this.length = 0;
    this.nulls = 0;
  }

  finish(): { nullBitmap: Uint8Array | undefined; nullCount: number; length: number } {
    const bitmap = this.bits.take();
    const result = { nullBitmap: this.nulls > 0 ? bitmap : undefined, nullCount: this.nulls, length: this.length };
    this.length = 0;
    this.nulls = 0;
    return result;
  }
}

const isValid = (mask: Uint8Array | null, row: number) => mask === null || (mask[row >> 3]! & (1 << (row & 7))) !== 0;

// apache-arrow's makeData overloads are per type; the sinks build props generically.
const data = (props: Record<string, unknown>): Data => makeData(props as never) as Data;

/** Output of one values buffer beside the validity bitmap: what the fixed-width sinks share. */
abstract class ValuesSink implements ColumnSink {
  protected validity = new Validity();
  constructor(protected readonly values = new Bytes()) {}
  abstract append(vec: Vec, start: number, count: number): void;
  abstract finish(): Data;
  get bytes() {
    return this.validity.bytes + this.values.len;
  }
  writeIpc(out: IpcParts): void {
    this.validity.writeIpc(out);
    out.buffers.push(this.values.view());
  }
  reset(): void {
    this.validity.reset();
    this.values.clear();
  }
}

/** Fixed-width values DuckDB stores exactly as Arrow does (ints, floats, dates, times, timestamps). */
class FixedSink extends ValuesSink {
  constructor(private readonly type: DataType, private readonly width: number) {
    super();
  }
  append(vec: Vec, start: number, count: number): void {
    this.validity.append(Validity.of(vec, start, count), start, count);
    const raw = duckdb.vector_get_data(vec, (start + count) * this.width);
    this.values.push(raw.subarray(start * this.width, (start + count) * this.width));
  }
  finish(): Data {
    const v = this.validity.finish();
    const bytes = this.values.take();
    const ArrayType = this.type.ArrayType as unknown as new (b: ArrayBufferLike, o: number, n: number) => ArrayLike<number>;
    const stride = (this.type as unknown as { stride?: number }).stride ?? 1;
    const elementBytes = this.width / stride;
    return data({ type: this.type, ...v, data: new ArrayType(bytes.buffer, bytes.byteOffset, bytes.byteLength / elementBytes) });
  }
}

/** DuckDB BOOLEAN is one byte per value; Arrow packs bits. */
class BoolSink extends ValuesSink {
  private length = 0;
  constructor(private readonly type: DataType) {
    super(new Bytes(256, true));
  }
  append(vec: Vec, start: number, count: number): void {
    this.validity.append(Validity.of(vec, start, count), start, count);
    const raw = duckdb.vector_get_data(vec, start + count);
    const end = this.length + count;
    this.values.reserve(Math.ceil(end / 8) - this.values.len);
    this.values.len = Math.ceil(end / 8);
    const out = this.values.buf;
    for (let i = 0; i < count; i++) {
      const dst = this.length + i;
      if (raw[start + i]) out[dst >> 3]! |= 1 << (dst & 7);
      else out[dst >> 3]! &= ~(1 << (dst & 7));
    }
    this.length = end;
  }
  override reset(): void {
    super.reset();
    this.length = 0;
  }
  finish(): Data {
    this.length = 0;
    return data({ type: this.type, ...this.validity.finish(), data: this.values.take() });
  }
}

/** DECIMAL (2, 4, 8 or 16 bytes in DuckDB) and HUGEINT -> 16-byte little-endian Decimal128. */
class DecimalSink extends ValuesSink {
  constructor(private readonly type: DataType, private readonly width: 2 | 4 | 8 | 16) {
    super();
  }
  append(vec: Vec, start: number, count: number): void {
    this.validity.append(Validity.of(vec, start, count), start, count);
    const raw = duckdb.vector_get_data(vec, (start + count) * this.width);
    if (this.width === 16) {
      this.values.push(raw.subarray(start * 16, (start + count) * 16));
      return;
    }
    this.values.reserve(count * 16);
    const out = new Int32Array(this.values.buf.buffer, this.values.len, count * 4);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < count; i++) {
      const at = (start + i) * this.width;
      let lo: number;
      let hi: number;
      if (this.width === 8) {
        lo = view.getInt32(at, true);
        hi = view.getInt32(at + 4, true);
      } else {
        lo = this.width === 4 ? view.getInt32(at, true) : view.getInt16(at, true);
        hi = lo >> 31;
      }
      const sign = hi >> 31;
      out[i * 4] = lo;
      out[i * 4 + 1] = hi;
      out[i * 4 + 2] = sign;
      out[i * 4 + 3] = sign;
    }
    this.values.len += count * 16;
  }
  finish(): Data {
    const v = this.validity.finish();
    const b = this.values.take();
    return data({ type: this.type, ...v, data: new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4) });
  }
}

/** INTERVAL {months i32, days i32, micros i64} -> MonthDayNano {months, days, nanos i64}. */
class IntervalSink extends ValuesSink {
  constructor(private readonly type: DataType) {
    super();
  }
  append(vec: Vec, start: number, count: number): void {
    const mask = Validity.of(vec, start, count);
    this.validity.append(mask, start, count);
    const raw = duckdb.vector_get_data(vec, (start + count) * 16);
    const at = this.values.len;
    this.values.push(raw.subarray(start * 16, (start + count) * 16));
    const view = new DataView(this.values.buf.buffer, at, count * 16);
    for (let i = 0; i < count; i++) {
      if (isValid(mask, start + i)) view.setBigInt64(i * 16 + 8, view.getBigInt64(i * 16 + 8, true) * 1000n, true);
    }
  }
  finish(): Data {
    const v = this.validity.finish();
    const b = this.values.take();
    return data({ type: this.type, ...v, data: new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4) });
  }
}

// Long strings in one chunk mostly sit next to each other in DuckDB's string heap: one native
// read per run of adjacent strings instead of one per string (8.3 s -> 1.5 s for 10M names).
// Only forward gaps this small are bridged, so nothing far from a real string is ever read.
const MAX_BRIDGED_GAP = 64;
const MAX_RUN_BYTES = 1 << 20;

/** Utf8/Binary output, the part every text-producing sink shares: validity, Int32 offsets, values. */
abstract class OffsetsSink implements ColumnSink {
  protected validity = new Validity();
  protected offsets = new Bytes();
  protected values = new Bytes();
  constructor(protected readonly type: DataType) {
    this.offsets.push(new Uint8Array(4));
  }
  abstract append(vec: Vec, start: number, count: number): void;
  get bytes() {
    return this.validity.bytes + this.offsets.len + this.values.len;
  }
  writeIpc(out: IpcParts): void {
    this.validity.writeIpc(out);
    out.buffers.push(this.offsets.view(), this.values.view());
  }
  reset(): void {
    this.validity.reset();
    this.offsets.clear();
    this.offsets.push(new Uint8Array(4));
    this.values.clear();
  }
  finish(): Data {
    const v = this.validity.finish();
    const o = this.offsets.take();
    this.offsets.push(new Uint8Array(4));
    return data({
      type: this.type, ...v, valueOffsets: new Int32Array(o.buffer, o.byteOffset, o.byteLength / 4), data: this.values.take(),
    });
  }
}

/** VARCHAR and BLOB: 16-byte duckdb_string_t entries (inline up to 12 bytes, else a pointer). */
class StringSink extends OffsetsSink {
  /** Long strings of the current run: heap address, length, output position, repeated. */
  private readonly runMembers: number[] = [];
  append(vec: Vec, start: number, count: number): void {
    const mask = Validity.of(vec, start, count);
    this.validity.append(mask, start, count);
    const raw = duckdb.vector_get_data(vec, (start + count) * 16);
    // Entry words: [length, prefix or inline bytes..., pointer low, pointer high]. DuckDB's
    // vectors are 8-byte aligned; the copy is only a guard.
    const words = raw.byteOffset % 4 === 0 ? new Uint32Array(raw.buffer, raw.byteOffset, raw.byteLength >> 2) : new Uint32Array(raw.slice().buffer);
    this.offsets.reserve(count * 4);
    const offsets = new Int32Array(this.offsets.buf.buffer, this.offsets.len - 4, count + 1);
    // Pass 1: offsets (and so the values' size, reserved once). Null entries may hold garbage.
    let total = offsets[0]!;
    const base = total;
    for (let i = 0; i < count; i++) {
      const row = start + i;
      if (mask === null || (mask[row >> 3]! & (1 << (row & 7))) !== 0) total += words[row * 4]!;
      offsets[i + 1] = total;
    }
    // 3 spare bytes: inline strings are copied in whole words (see below).
    this.values.reserve(total - base + 3);
    const out = this.values.buf;
    const outView = new DataView(out.buffer, out.byteOffset, out.byteLength);
    const origin = this.values.len - base;
    // Pass 2: bytes. Every string's place is known, so inline strings do not break a run of
    // heap strings: one native read per run of nearby heap strings, copied to their places.
    const members = this.runMembers;
    let runStart = 0;
    let runEnd = 0;
    let runPointerAt = -1;
    const flushRun = () => {
      const bytes = duckdb.get_data_from_pointer(raw.buffer as ArrayBuffer, runPointerAt, runEnd - runStart);
      for (let k = 0; k < members.length; k += 3) {
        const from = members[k]! - runStart;
        out.set(bytes.subarray(from, from + members[k + 1]!), members[k + 2]!);
      }
      members.length = 0;
      runPointerAt = -1;
    };
    for (let i = 0; i < count; i++) {
      const len = offsets[i + 1]! - offsets[i]!;
      if (len === 0) continue;
      const at = (start + i) * 16;
      const dst = origin + offsets[i]!;
      const w = (start + i) * 4;
      if (len <= 12) {
        // Inline: copied as up to 3 little-endian words, which may spill up to 3 bytes past the
        // string. Strings are written in order (a heap string when its run is flushed, later), so
        // what spills is always overwritten by the next string; past the last one it is outside
        // the values' length.
        outView.setUint32(dst, words[w + 1]!, true);
        if (len > 4) outView.setUint32(dst + 4, words[w + 2]!, true);
        if (len > 8) outView.setUint32(dst + 8, words[w + 3]!, true);
      } else {
        const address = words[w + 2]! + words[w + 3]! * 2 ** 32;
        const joins = runPointerAt >= 0 && address >= runEnd && address - runEnd <= MAX_BRIDGED_GAP &&
          address + len - runStart <= MAX_RUN_BYTES;
        if (!joins) {
          if (runPointerAt >= 0) flushRun();
          runStart = address;
          runPointerAt = raw.byteOffset + at + 8;
        }
        runEnd = address + len;
        members.push(address, len, dst);
      }
    }
    if (runPointerAt >= 0) flushRun();
    this.values.len += total - base;
    this.offsets.len += count * 4;
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const UUID_DASH_AFTER = new Set([3, 5, 7, 9]);

/** UUID: DuckDB's hugeint with the top bit flipped -> the canonical 36-character text. */
class UuidSink extends OffsetsSink {
  private readonly encoder = new TextEncoder();
  append(vec: Vec, start: number, count: number): void {
    const mask = Validity.of(vec, start, count);
    this.validity.append(mask, start, count);
    const raw = duckdb.vector_get_data(vec, (start + count) * 16);
    this.offsets.reserve(count * 4);
    const offsets = new Int32Array(this.offsets.buf.buffer, this.offsets.len - 4, count + 1);
    for (let i = 0; i < count; i++) {
      const row = start + i;
      if (!isValid(mask, row)) {
        offsets[i + 1] = offsets[i]!;
        continue;
      }
      // Bytes 15..8 are the upper half (big-endian order of the UUID's first 8 bytes), then 7..0.
      let text = '';
      for (let k = 0; k < 16; k++) {
        let byte = raw[row * 16 + 15 - k]!;
        if (k === 0) byte ^= 0x80;
        text += HEX[byte];
        if (UUID_DASH_AFTER.has(k)) text += '-';
      }
      this.values.push(this.encoder.encode(text));
      offsets[i + 1] = offsets[i]! + 36;
    }
    this.offsets.len += count * 4;
  }
}

/** ENUM -> Dictionary(Utf8, Int32): indices widened from DuckDB's 1/2/4-byte storage. */
class EnumSink implements ColumnSink {
  private validity = new Validity();
  private indices = new Bytes();
  private readonly dictionary: Vector;
  constructor(private readonly type: Dictionary, private readonly width: 1 | 2 | 4, values: readonly string[]) {
    const encoder = new TextEncoder();
    const encoded = values.map((s) => encoder.encode(s));
    const offsets = new Int32Array(values.length + 1);
    encoded.forEach((e, i) => (offsets[i + 1] = offsets[i]! + e.byteLength));
    const bytes = new Uint8Array(offsets[values.length]!);
    encoded.forEach((e, i) => bytes.set(e, offsets[i]!));
    this.dictionary = makeVector(makeData({ type: new Utf8(), length: values.length, nullCount: 0, valueOffsets: offsets, data: bytes }));
  }
  append(vec: Vec, start: number, count: number): void {
    this.validity.append(Validity.of(vec, start, count), start, count);
    const raw = duckdb.vector_get_data(vec, (start + count) * this.width);
    const src = this.width === 1 ? new Uint8Array(raw.buffer, raw.byteOffset + start, count)
      : this.width === 2 ? new Uint16Array(raw.slice(start * 2, (start + count) * 2).buffer)
      : new Uint32Array(raw.slice(start * 4, (start + count) * 4).buffer);
    this.indices.reserve(count * 4);
    new Int32Array(this.indices.buf.buffer, this.indices.len, count).set(src);
    this.indices.len += count * 4;
  }
  get bytes() {
    return this.validity.bytes + this.indices.len;
  }
  writeIpc(): void {
    // The batcher cuts IPC messages only for schemas without dictionaries (they need their own
    // dictionary messages): see ChunkBatcher.canWriteIpc.
    throw new Error('ENUM columns are not written as IPC by the batcher');
  }
  reset(): void {
    this.validity.reset();
    this.indices.clear();
  }
  finish(): Data {
    const v = this.validity.finish();
    const b = this.indices.take();
    return data({ type: this.type, ...v, data: new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4), dictionary: this.dictionary });
  }
}

/** LIST and MAP: DuckDB's {offset u64, length u64} entries over a child vector -> Arrow offsets. */
class ListSink implements ColumnSink {
  private validity = new Validity();
  private offsets = new Bytes();
  private childRows = 0;
  constructor(private readonly type: DataType, private readonly child: ColumnSink) {
    this.offsets.push(new Uint8Array(4));
  }
  append(vec: Vec, start: number, count: number): void {
    const mask = Validity.of(vec, start, count);
    this.validity.append(mask, start, count);
    const raw = duckdb.vector_get_data(vec, (start + count) * 16);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const childVec = duckdb.list_vector_get_child(vec);
    this.offsets.reserve(count * 4);
    const offsets = new Int32Array(this.offsets.buf.buffer, this.offsets.len - 4, count + 1);
    // Consecutive entries that continue each other become one child append.
    let pendingStart = -1;
    let pendingEnd = -1;
    for (let i = 0; i < count; i++) {
      const row = start + i;
      const at = row * 16;
      let len = 0;
      if (isValid(mask, row)) {
        const off = view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
        len = view.getUint32(at + 8, true) + view.getUint32(at + 12, true) * 2 ** 32;
        if (len > 0) {
          if (off === pendingEnd) pendingEnd += len;
          else {
            if (pendingStart >= 0) this.child.append(childVec, pendingStart, pendingEnd - pendingStart);
            pendingStart = off;
            pendingEnd = off + len;
          }
        }
      }
      offsets[i + 1] = offsets[i]! + len;
      this.childRows += len;
    }
    if (pendingStart >= 0) this.child.append(childVec, pendingStart, pendingEnd - pendingStart);
    this.offsets.len += count * 4;
  }
  get bytes() {
    return this.validity.bytes + this.offsets.len + this.child.bytes;
  }
  writeIpc(out: IpcParts): void {
    this.validity.writeIpc(out);
    out.buffers.push(this.offsets.view());
    this.child.writeIpc(out);
  }
  reset(): void {
    this.validity.reset();
    this.offsets.clear();
    this.offsets.push(new Uint8Array(4));
    this.childRows = 0;
    this.child.reset();
  }
  finish(): Data {
    const v = this.validity.finish();
    const o = this.offsets.take();
    this.offsets.push(new Uint8Array(4));
    this.childRows = 0;
    return data({ type: this.type, ...v, valueOffsets: new Int32Array(o.buffer, o.byteOffset, o.byteLength / 4), child: this.child.finish() });
  }
}

/** ARRAY(n) -> FixedSizeList(n): child rows row*n .. row*n+n. */
class ArraySink implements ColumnSink {
  private validity = new Validity();
  constructor(private readonly type: DataType, private readonly size: number, private readonly child: ColumnSink) {}
  append(vec: Vec, start: number, count: number): void {
    this.validity.append(Validity.of(vec, start, count), start, count);
    this.child.append(duckdb.array_vector_get_child(vec), start * this.size, count * this.size);
  }
  get bytes() {
    return this.validity.bytes + this.child.bytes;
  }
  writeIpc(out: IpcParts): void {
    this.validity.writeIpc(out);
    this.child.writeIpc(out);
  }
  reset(): void {
    this.validity.reset();
    this.child.reset();
  }
  finish(): Data {
    return data({ type: this.type, ...this.validity.finish(), child: this.child.finish() });
  }
}

class StructSink implements ColumnSink {
  private validity = new Validity();
  constructor(private readonly type: DataType, private readonly children: ColumnSink[]) {}
  append(vec: Vec, start: number, count: number): void {
    this.validity.append(Validity.of(vec, start, count), start, count);
    this.children.forEach((c, i) => c.append(duckdb.struct_vector_get_child(vec, i), start, count));
  }
  get bytes() {
    return this.validity.bytes + this.children.reduce((n, c) => n + c.bytes, 0);
  }
  writeIpc(out: IpcParts): void {
    this.validity.writeIpc(out);
    for (const c of this.children) c.writeIpc(out);
  }
  reset(): void {
    this.validity.reset();
    for (const c of this.children) c.reset();
  }
  finish(): Data {
    return data({ type: this.type, ...this.validity.finish(), children: this.children.map((c) => c.finish()) });
  }
}

class NullSink implements ColumnSink {
  private length = 0;
  constructor(private readonly type: DataType) {}
  append(_vec: Vec, _start: number, count: number): void {
    this.length += count;
  }
  get bytes() {
    return 0;
  }
  writeIpc(out: IpcParts): void {
    // The Null layout has no buffers, only its field node.
    out.nodes.push(new FieldNode(this.length, this.length));
  }
  reset(): void {
    this.length = 0;
  }
  finish(): Data {
    const length = this.length;
    this.length = 0;
    return data({ type: this.type, length, nullCount: length });
  }
}

const FIXED_WIDTH: Partial<Record<DuckDBTypeId, number>> = {
  [DuckDBTypeId.TINYINT]: 1, [DuckDBTypeId.SMALLINT]: 2, [DuckDBTypeId.INTEGER]: 4, [DuckDBTypeId.BIGINT]: 8,
  [DuckDBTypeId.UTINYINT]: 1, [DuckDBTypeId.USMALLINT]: 2, [DuckDBTypeId.UINTEGER]: 4, [DuckDBTypeId.UBIGINT]: 8,
  [DuckDBTypeId.FLOAT]: 4, [DuckDBTypeId.DOUBLE]: 8, [DuckDBTypeId.DATE]: 4, [DuckDBTypeId.TIME]: 8, [DuckDBTypeId.TIME_NS]: 8,
  [DuckDBTypeId.TIMESTAMP]: 8, [DuckDBTypeId.TIMESTAMP_S]: 8, [DuckDBTypeId.TIMESTAMP_MS]: 8, [DuckDBTypeId.TIMESTAMP_NS]: 8,
  [DuckDBTypeId.TIMESTAMP_TZ]: 8,
};

/** The sink that turns vectors of `duck` into Arrow data of `arrow` (as result-types.ts chose it). */
function sinkFor(duck: DuckDBType, arrow: DataType): ColumnSink {
  const fixed = FIXED_WIDTH[duck.typeId];
  if (fixed !== undefined) return new FixedSink(arrow, fixed);
  switch (duck.typeId) {
    case DuckDBTypeId.BOOLEAN: return new BoolSink(arrow);
    case DuckDBTypeId.DECIMAL: {
      const width = (duck as DuckDBDecimalType).width;
      return new DecimalSink(arrow, width <= 4 ? 2 : width <= 9 ? 4 : width <= 18 ? 8 : 16);
    }
    case DuckDBTypeId.HUGEINT: return new DecimalSink(arrow, 16);
    case DuckDBTypeId.INTERVAL: return new IntervalSink(arrow);
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.BLOB: return new StringSink(arrow);
    case DuckDBTypeId.UUID: return new UuidSink(arrow);
    case DuckDBTypeId.SQLNULL: return new NullSink(arrow);
    case DuckDBTypeId.ENUM: {
      const e = duck as DuckDBEnumType;
      const width = e.internalTypeId === DuckDBTypeId.UTINYINT ? 1 : e.internalTypeId === DuckDBTypeId.USMALLINT ? 2 : 4;
      return new EnumSink(arrow as Dictionary, width, e.values);
    }
    case DuckDBTypeId.LIST: {
      const childField = arrow.children[0] as Field;
      return new ListSink(arrow, sinkFor((duck as DuckDBListType).valueType, childField.type));
    }
    case DuckDBTypeId.MAP: {
      const m = duck as DuckDBMapType;
      const entries = (arrow.children[0] as Field).type as Struct;
      const entrySink = new StructSink(entries, [sinkFor(m.keyType, entries.children[0]!.type), sinkFor(m.valueType, entries.children[1]!.type)]);
      return new ListSink(arrow, entrySink);
    }
    case DuckDBTypeId.ARRAY: {
      const a = duck as DuckDBArrayType;
      return new ArraySink(arrow, a.length, sinkFor(a.valueType, (arrow.children[0] as Field).type));
    }
    case DuckDBTypeId.STRUCT: {
      const s = duck as DuckDBStructType;
      return new StructSink(arrow, s.entryTypes.map((t, i) => sinkFor(t, (arrow.children[i] as Field).type)));
    }
    default:
      throw new Error(`no Arrow conversion for DuckDB type ${duck.toString()}`);
  }
}

/** Rows are moved in slices this small so one chunk of wide rows cannot overshoot the budget by much. */
const SLICE_ROWS = 256;

const pad8 = (n: number) => (n + 7) & ~7;

/**
 * Accumulates DuckDB chunks into record batches of at most about `targetBytes` of Arrow buffers.
 * `push` returns the batches that filled up and `flush` the rest at end of stream; `pushIpc` and
 * `flushIpc` do the same as encoded IPC record batch messages (one batcher uses one pair).
 */
export class ChunkBatcher {
  private readonly sinks: ColumnSink[];
  private rows = 0;
  /** Arrow bytes the previous whole chunk added: the guess for the next one. */
  private lastChunkBytes = Infinity;

  constructor(readonly schema: Schema, duckTypes: readonly DuckDBType[], private readonly targetBytes: number) {
    this.sinks = schema.fields.map((f, i) => sinkFor(duckTypes[i]!, f.type));
  }

  /** Whether pushIpc can encode this schema's batches: dictionaries need messages of their own. */
  static canWriteIpc(schema: Schema): boolean {
    return schema.dictionaries.size === 0;
  }

  push(chunk: DuckDBDataChunk): RecordBatch[] {
    return this.pushWith(chunk, () => this.cut());
  }

  flush(): RecordBatch | null {
    return this.rows > 0 ? this.cut() : null;
  }

  pushIpc(chunk: DuckDBDataChunk): IpcFrame[] {
    return this.pushWith(chunk, () => this.cutIpc());
  }

  flushIpc(): IpcFrame | null {
    return this.rows > 0 ? this.cutIpc() : null;
  }

  private pushWith<T>(chunk: DuckDBDataChunk, cut: () => T): T[] {
    const out: T[] = [];
    const count = chunk.rowCount;
    const vectors = this.sinks.map((_, i) => duckdb.data_chunk_get_vector(chunk.chunk, i));
    const before = this.bytes;
    // Whole chunks while the last one's size says the next one fits; slices near the budget.
    const slice = before + this.lastChunkBytes * 1.5 < this.targetBytes ? count : SLICE_ROWS;
    for (let start = 0; start < count; start += slice) {
      const n = Math.min(slice, count - start);
      this.sinks.forEach((s, i) => s.append(vectors[i]!, start, n));
      this.rows += n;
      if (this.bytes >= this.targetBytes) out.push(cut());
    }
    this.lastChunkBytes = out.length === 0 ? this.bytes - before : this.lastChunkBytes;
    return out;
  }

  private get bytes(): number {
    let n = 0;
    for (const s of this.sinks) n += s.bytes;
    return n;
  }

  private cut(): RecordBatch {
    const children = this.sinks.map((s) => s.finish());
    const length = this.rows;
    this.rows = 0;
    return new RecordBatch(this.schema, makeData({ type: new Struct(this.schema.fields), length, nullCount: 0, children }));
  }

  /** The sinks' buffers copied once into a fresh message body (8-byte aligned regions), then reused. */
  private cutIpc(): IpcFrame {
    const parts: IpcParts = { nodes: [], buffers: [] };
    for (const s of this.sinks) s.writeIpc(parts);
    const regions: BufferRegion[] = [];
    let size = 0;
    for (const b of parts.buffers) {
      regions.push(new BufferRegion(size, b.byteLength));
      size += pad8(b.byteLength);
    }
    // Not zero-filled: every byte is written below, the padding included.
    const body = new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size);
    parts.buffers.forEach((b, i) => {
      const at = regions[i]!.offset;
      body.set(b, at);
      body.fill(0, at + b.byteLength, at + pad8(b.byteLength));
    });
    const header = Message.encode(Message.from(new RecordBatchHeader(this.rows, parts.nodes, regions, null), size));
    for (const s of this.sinks) s.reset();
    this.rows = 0;
    return { header, body };
  }
}
