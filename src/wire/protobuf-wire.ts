// The few protobuf wire primitives the hand-written codecs need (FlightData, encoded FlightInfo).

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

export class ProtobufReader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.byteLength;
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.buf.byteLength) throw new Error('truncated protobuf varint');
      const b = this.buf[this.pos++]!;
      // Beyond 2^53 precision is lost; lengths and enums never get there.
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 63) throw new Error('protobuf varint longer than 10 bytes');
    }
  }

  /** A length-delimited field as a view of the input buffer, never a copy. */
  bytes(): Uint8Array {
    const len = this.varint();
    if (this.pos + len > this.buf.byteLength) throw new Error(`truncated protobuf field: ${len} bytes declared, ${this.buf.byteLength - this.pos} left`);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT: this.varint(); return;
      case WIRE_FIXED64: this.pos += 8; break;
      case WIRE_LEN: this.bytes(); return;
      case WIRE_FIXED32: this.pos += 4; break;
      default: throw new Error(`unsupported protobuf wire type ${wireType}`);
    }
    if (this.pos > this.buf.byteLength) throw new Error('truncated protobuf field');
  }
}

export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) { n = Math.floor(n / 128); size++; }
  return size;
}

export function writeVarint(out: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    out[pos++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  out[pos++] = n;
  return pos;
}

export const tagSize = (field: number) => varintSize((field << 3) | WIRE_LEN);
export const lenFieldSize = (field: number, len: number) => tagSize(field) + varintSize(len) + len;

export function writeLenField(out: Uint8Array, pos: number, field: number, bytes: Uint8Array): number {
  pos = writeVarint(out, pos, (field << 3) | WIRE_LEN);
  pos = writeVarint(out, pos, bytes.byteLength);
  out.set(bytes, pos);
  return pos + bytes.byteLength;
}

/**
 * A growing buffer of protobuf fields, for messages whose size is not worked out first: tags,
 * varints of non-negative integers below 2^53 (counts, sizes, times), and raw bytes.
 */
export class ProtobufWriter {
  private buf: Buffer;
  private at = 0;

  constructor(size = 64) {
    this.buf = Buffer.allocUnsafe(size);
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
  }

  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  varint(n: number): this {
    this.room(8);
    this.at = writeVarint(this.buf, this.at, n);
    return this;
  }

  /** `b`, or its bytes [start, end). */
  bytes(b: Uint8Array, start = 0, end = b.length): this {
    this.room(end - start);
    this.buf.set(start === 0 && end === b.length ? b : b.subarray(start, end), this.at);
    this.at += end - start;
    return this;
  }

  /** `length` is the string's UTF-8 byte length (the caller has it for the field's length prefix). */
  string(s: string, length: number): this {
    this.room(length);
    this.at += this.buf.write(s, this.at);
    return this;
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.at);
  }

  /** Empties the writer to write another message into the same memory: what finish() returned is overwritten. */
  reset(): this {
    this.at = 0;
    return this;
  }
}
