// Bounds-checked reads of a flatbuffer, the way flatbuffers' own Verifier walks one: every
// offset, vtable, vector and string must lie inside the buffer before it is followed. arrow-js
// reads IPC headers with flatbuffers' unchecked ByteBuffer, where a bad offset reads garbage or
// a vector "length" of two billion becomes a loop; the message verifier runs this first.

/** A flatbuffer is malformed; the message says where. */
export class FlatbufferError extends Error {}

export interface FbTable {
  /** Absolute position of the table (its soffset to the vtable). */
  pos: number;
  vtable: number;
  vtableSize: number;
  tableSize: number;
}

/** flatbuffers' default maximum table count and depth (flatbuffers/verifier.h). */
const MAX_TABLES = 1_000_000;
export const MAX_DEPTH = 64;

export class FlatbufferReader {
  private readonly view: DataView;
  private tables = 0;

  constructor(readonly bytes: Uint8Array, private readonly what: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(why: string): never {
    throw new FlatbufferError(`${this.what}: ${why}`);
  }

  private need(pos: number, size: number, what: string): void {
    if (!(pos >= 0 && pos + size <= this.bytes.byteLength)) this.fail(`${what} at byte ${pos} (${size} bytes) lies outside the ${this.bytes.byteLength}-byte buffer`);
  }

  root(): FbTable {
    this.need(0, 4, 'root offset');
    return this.table(this.offset(0, 'root table'), 'root table');
  }

  /** flatbuffers' VerifyOffset: an offset is neither 0 (pointing at itself) nor negative as a signed one. */
  private offset(at: number, what: string): number {
    const value = this.view.getUint32(at, true);
    if (value === 0 || value >= 2 ** 31) this.fail(`${what}: invalid offset ${value} at byte ${at}`);
    return at + value;
  }

  /** flatbuffers' Verifier also checks alignment (relative to the buffer's start), as Arrow C++ does. */
  private aligned(pos: number, size: number, what: string): void {
    if (pos % size !== 0) this.fail(`${what} at byte ${pos} is not aligned to ${size} bytes`);
  }

  table(pos: number, what: string): FbTable {
    if (++this.tables > MAX_TABLES) this.fail(`more than ${MAX_TABLES} tables`);
    this.need(pos, 4, what);
    this.aligned(pos, 4, what);
    const vtable = pos - this.view.getInt32(pos, true);
    this.need(vtable, 4, `vtable of ${what}`);
    this.aligned(vtable, 2, `vtable of ${what}`);
    const vtableSize = this.view.getUint16(vtable, true);
    const tableSize = this.view.getUint16(vtable + 2, true);
    if (vtableSize < 4 || vtableSize % 2 !== 0) this.fail(`vtable of ${what} has an invalid size ${vtableSize}`);
    this.need(vtable, vtableSize, `vtable of ${what}`);
    if (tableSize < 4) this.fail(`${what} has an invalid size ${tableSize}`);
    this.need(pos, tableSize, what);
    return { pos, vtable, vtableSize, tableSize };
  }

  /** Absolute position of field `slot` of `size` bytes, or 0 when absent (its default applies). */
  field(t: FbTable, slot: number, size: number): number {
    const entry = 4 + 2 * slot;
    if (entry + 2 > t.vtableSize) return 0;
    const offset = this.view.getUint16(t.vtable + entry, true);
    if (offset === 0) return 0;
    if (offset + size > t.tableSize) this.fail(`field ${slot} of a table lies outside the table`);
    this.aligned(t.pos + offset, size, `field ${slot}`);
    return t.pos + offset;
  }

  u8(t: FbTable, slot: number, fallback = 0): number {
    const at = this.field(t, slot, 1);
    return at ? this.view.getUint8(at) : fallback;
  }

  i16(t: FbTable, slot: number, fallback = 0): number {
    const at = this.field(t, slot, 2);
    return at ? this.view.getInt16(at, true) : fallback;
  }

  i32(t: FbTable, slot: number, fallback = 0): number {
    const at = this.field(t, slot, 4);
    return at ? this.view.getInt32(at, true) : fallback;
  }

  i64(t: FbTable, slot: number, fallback = 0n): bigint {
    const at = this.field(t, slot, 8);
    return at ? this.view.getBigInt64(at, true) : fallback;
  }

  /** Where an offset field points, checked to lie inside the buffer; 0 when absent. */
  private target(t: FbTable, slot: number, what: string): number {
    const at = this.field(t, slot, 4);
    if (!at) return 0;
    const to = this.offset(at, what);
    this.need(to, 4, what);
    this.aligned(to, 4, what);
    return to;
  }

  subtable(t: FbTable, slot: number, what: string): FbTable | null {
    const to = this.target(t, slot, what);
    return to ? this.table(to, what) : null;
  }

  /** A vector of `elementSize`-byte elements: position of its first element and its length. */
  vector(t: FbTable, slot: number, elementSize: number, what: string): { start: number; length: number } | null {
    const to = this.target(t, slot, what);
    if (!to) return null;
    const length = this.view.getUint32(to, true);
    this.need(to + 4, length * elementSize, `${what} of ${length} elements`);
    return { start: to + 4, length };
  }

  tableVector(t: FbTable, slot: number, what: string): FbTable[] {
    const v = this.vector(t, slot, 4, what);
    if (!v) return [];
    const out: FbTable[] = [];
    for (let i = 0; i < v.length; i++) {
      const at = v.start + 4 * i;
      out.push(this.table(at + this.view.getUint32(at, true), `${what}[${i}]`));
    }
    return out;
  }

  /** Checks a string field; returns its bytes (empty when absent). */
  string(t: FbTable, slot: number, what: string): Uint8Array {
    const to = this.target(t, slot, what);
    if (!to) return new Uint8Array(0);
    const length = this.view.getUint32(to, true);
    // A flatbuffer string carries a terminating zero after its bytes.
    this.need(to + 4, length + 1, what);
    if (this.bytes[to + 4 + length] !== 0) this.fail(`${what} at byte ${to} is not zero-terminated`);
    return this.bytes.subarray(to + 4, to + 4 + length);
  }

  int64At(pos: number): bigint {
    return this.view.getBigInt64(pos, true);
  }
}
