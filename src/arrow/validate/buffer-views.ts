// Typed reads of one body buffer. Bodies arrive at whatever offset gRPC put them, so a buffer
// is viewed in place when aligned and copied once when not; all reads are within its length.

/** Thrown by every check of the validator; the stream validator adds where (message, column). */
export class InvalidArrayError extends Error {}

export type IntArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

const CONSTRUCTORS = {
  1: [Uint8Array, Int8Array], 2: [Uint16Array, Int16Array], 4: [Uint32Array, Int32Array], 8: [BigUint64Array, BigInt64Array],
} as const;

/** The first `count` integers of `width` bytes in `buf` (which must hold them). */
export function intsOf(buf: Uint8Array, width: 1 | 2 | 4 | 8, signed: boolean, count: number): IntArray {
  const Ctor = CONSTRUCTORS[width][signed ? 1 : 0];
  // new Uint8Array(view) copies (Buffer's slice would not).
  const bytes = buf.byteOffset % width === 0 ? buf : new Uint8Array(buf.subarray(0, count * width));
  return new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, count);
}

/** A buffer holds at least `bytes` bytes. */
export function need(buf: Uint8Array, bytes: number, what: string, length: number): void {
  if (buf.byteLength < bytes) throw new InvalidArrayError(`its ${what} holds ${buf.byteLength} bytes, ${length} values need ${bytes}`);
}

const POPCOUNT = new Uint8Array(256).map((_, i) => {
  let n = 0;
  for (let v = i; v; v >>= 1) n += v & 1;
  return n;
});

/** Set bits among the first `length` bits of a bitmap that holds them. */
export function countSet(bitmap: Uint8Array, length: number): number {
  const whole = length >> 3;
  let set = 0;
  for (let i = 0; i < whole; i++) set += POPCOUNT[bitmap[i]!]!;
  for (let bit = whole * 8; bit < length; bit++) set += (bitmap[bit >> 3]! >> (bit & 7)) & 1;
  return set;
}

/** Whether slot i is valid; a missing bitmap (null count 0) means every slot is. */
export const isValid = (bitmap: Uint8Array | null, i: number) => bitmap === null || ((bitmap[i >> 3]! >> (i & 7)) & 1) === 1;
