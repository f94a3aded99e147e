// Reading some columns of a Parquet object without downloading the file: the footer is fetched
// by one suffix GET, its column chunk offsets read here (Parquet's FileMetaData, Thrift compact
// protocol: only the fields needed), and then only the byte ranges of the wanted columns' chunks
// and the page indexes. The Parquet workers read files by path, so the ranges are written at
// their offsets into a sparse local file of the object's size: the reader seeks to exactly those
// ranges (the holes between them, the other columns, are never read). Ranges go through the
// disk cache when there is one, so a repeated projection fetches nothing.
import fs from 'node:fs/promises';

/** Bytes fetched from the end first: the footer, and usually the page indexes before it. */
export const FOOTER_GUESS_BYTES = 16 * 1024;

export interface ByteSpan {
  offset: number;
  length: number;
}

interface ChunkSpans {
  /** Top-level column name (path_in_schema[0]). */
  column: string;
  data: ByteSpan;
  indexes: ByteSpan[];
}

/** The footer's length from a file's last 8 bytes (4-byte little-endian length, then "PAR1"). */
export function footerLength(tail: Uint8Array): number {
  if (tail.byteLength < 8) throw new Error('shorter than a Parquet footer');
  const end = tail.subarray(tail.byteLength - 8);
  if (String.fromCharCode(end[4]!, end[5]!, end[6]!, end[7]!) !== 'PAR1') throw new Error('not a Parquet file (no PAR1 at its end)');
  return new DataView(end.buffer, end.byteOffset, 8).getUint32(0, true);
}

/** The byte spans a read of `columns` needs, given the FileMetaData bytes (footer without its last 8 bytes). */
export function spansFor(metadata: Uint8Array, columns: readonly string[]): ByteSpan[] {
  const wanted = new Set(columns);
  const out: ByteSpan[] = [];
  for (const c of columnChunks(metadata)) {
    out.push(...c.indexes);
    if (wanted.has(c.column)) out.push(c.data);
  }
  return mergeSpans(out);
}

/** Sorted, with overlapping and touching spans joined. */
export function mergeSpans(spans: ByteSpan[]): ByteSpan[] {
  const sorted = spans.filter((s) => s.length > 0).sort((a, b) => a.offset - b.offset);
  const out: ByteSpan[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s.offset <= last.offset + last.length) last.length = Math.max(last.length, s.offset + s.length - last.offset);
    else out.push({ ...s });
  }
  return out;
}

/** `spans` less what [from, to) already holds. */
export function outside(spans: ByteSpan[], from: number, to: number): ByteSpan[] {
  const out: ByteSpan[] = [];
  for (const s of spans) {
    const end = s.offset + s.length;
    if (s.offset < from) out.push({ offset: s.offset, length: Math.min(end, from) - s.offset });
    if (end > to) {
      const start = Math.max(s.offset, to);
      out.push({ offset: start, length: end - start });
    }
  }
  return out.filter((s) => s.length > 0);
}

const T_STOP = 0, T_TRUE = 1, T_FALSE = 2, T_BYTE = 3, T_I16 = 4, T_I32 = 5, T_I64 = 6, T_DOUBLE = 7, T_BINARY = 8, T_LIST = 9, T_SET = 10, T_MAP = 11, T_STRUCT = 12;

/** Every column chunk of every row group, with its data range and page index ranges. */
function columnChunks(metadata: Uint8Array): ChunkSpans[] {
  const r = new CompactReader(metadata);
  const out: ChunkSpans[] = [];
  r.struct((id, type) => {
    if (id !== 4 || type !== T_LIST) return false; // FileMetaData.row_groups
    r.list(() => r.struct((gid, gtype) => {
      if (gid !== 1 || gtype !== T_LIST) return false; // RowGroup.columns
      r.list(() => out.push(readColumnChunk(r)));
      return true;
    }));
    return true;
  });
  return out;
}

function readColumnChunk(r: CompactReader): ChunkSpans {
  let column = '';
  let compressed = 0, dataPage = -1, dictPage = -1;
  const idx = { oi: -1, ol: 0, ci: -1, cl: 0 };
  r.struct((id, type) => {
    switch (id) {
      case 3: // ColumnChunk.meta_data
        if (type !== T_STRUCT) return false;
        r.struct((mid, mtype) => {
          if (mid === 3 && mtype === T_LIST) {
            let first = true;
            r.list(() => {
              const part = r.binary();
              if (first) column = new TextDecoder().decode(part);
              first = false;
            });
            return true;
          }
          if (mtype !== T_I64) return false;
          if (mid === 7) compressed = r.varint();
          else if (mid === 9) dataPage = r.varint();
          else if (mid === 11) dictPage = r.varint();
          else return false;
          return true;
        });
        return true;
      case 4: if (type !== T_I64) return false; idx.oi = r.varint(); return true;
      case 5: if (type !== T_I32) return false; idx.ol = r.varint(); return true;
      case 6: if (type !== T_I64) return false; idx.ci = r.varint(); return true;
      case 7: if (type !== T_I32) return false; idx.cl = r.varint(); return true;
      default: return false;
    }
  });
  if (dataPage < 0) throw new Error(`column chunk of ${JSON.stringify(column)} has no data page offset`);
  const start = dictPage > 0 && dictPage < dataPage ? dictPage : dataPage;
  const indexes: ByteSpan[] = [];
  if (idx.oi >= 0) indexes.push({ offset: idx.oi, length: idx.ol });
  if (idx.ci >= 0) indexes.push({ offset: idx.ci, length: idx.cl });
  return { column, data: { offset: start, length: compressed }, indexes };
}

/** Just enough of Thrift's compact protocol to walk a struct and skip what is not wanted. */
class CompactReader {
  private pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  /** Fields until STOP: `field` reads the value and returns true, or returns false to have it skipped. */
  struct(field: (id: number, type: number) => boolean): void {
    let last = 0;
    for (;;) {
      const head = this.byte();
      const type = head & 0x0f;
      if (type === T_STOP) return;
      const delta = head >> 4;
      const id = delta === 0 ? this.zigzag() : last + delta;
      last = id;
      if (type === T_TRUE || type === T_FALSE) {
        field(id, type);
        continue;
      }
      if (!field(id, type)) this.skip(type);
    }
  }

  /** Reads a list's header and calls `element` once per element (which must read it). */
  list(element: () => void): void {
    const head = this.byte();
    let size = head >> 4;
    if (size === 15) size = this.unsigned();
    for (let i = 0; i < size; i++) element();
  }

  binary(): Uint8Array {
    const n = this.unsigned();
    const out = this.bytes.subarray(this.pos, this.pos + n);
    if (out.byteLength !== n) throw new Error('Parquet footer ends inside a string');
    this.pos += n;
    return out;
  }

  /** A zigzag varint as a number (exact up to 2^53: every Parquet offset and size). */
  varint(): number {
    const raw = this.unsigned();
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  private zigzag(): number {
    return this.varint();
  }

  private unsigned(): number {
    let out = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      out += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return out;
      scale *= 128;
      if (scale > 2 ** 63) throw new Error('Parquet footer holds a varint longer than 64 bits');
    }
  }

  private byte(): number {
    if (this.pos >= this.bytes.byteLength) throw new Error('Parquet footer ends early');
    return this.bytes[this.pos++]!;
  }

  private skip(type: number): void {
    switch (type) {
      case T_TRUE: case T_FALSE: return;
      case T_BYTE: this.pos++; return;
      case T_I16: case T_I32: case T_I64: this.unsigned(); return;
      case T_DOUBLE: this.pos += 8; return;
      case T_BINARY: this.binary(); return;
      case T_LIST: case T_SET: {
        const head = this.byte();
        let size = head >> 4;
        if (size === 15) size = this.unsigned();
        const et = head & 0x0f;
        for (let i = 0; i < size; i++) {
          if (et === T_TRUE || et === T_FALSE) this.pos++;
          else this.skip(et);
        }
        return;
      }
      case T_MAP: {
        const size = this.unsigned();
        if (size === 0) return;
        const kv = this.byte();
        for (let i = 0; i < size; i++) {
          this.skipValue(kv >> 4);
          this.skipValue(kv & 0x0f);
        }
        return;
      }
      case T_STRUCT: this.struct(() => false); return;
      default: throw new Error(`Parquet footer holds an unknown Thrift type ${type}`);
    }
  }

  private skipValue(type: number): void {
    if (type === T_TRUE || type === T_FALSE) this.pos++;
    else this.skip(type);
  }
}

/** Fetches a range of the object (through the disk cache when there is one); `size` is the object's. */
export type RangeGet = (range: { offset: number; length: number } | { suffix: number }) => Promise<{ bytes: Uint8Array; size: number }>;

/**
 * Writes into `file` (created; a sparse file of the object's size) the footer and the ranges
 * a read of `columns` needs; returns the bytes fetched.
 */
export async function writeSparseParquet(get: RangeGet, file: string, columns: readonly string[]): Promise<number> {
  const tail = await get({ suffix: FOOTER_GUESS_BYTES });
  const size = tail.size;
  let fetched = tail.bytes.byteLength;
  const tailStart = size - tail.bytes.byteLength;
  const metaLength = footerLength(tail.bytes);
  if (metaLength + 8 > size) throw new Error(`its footer claims ${metaLength} bytes of a ${size}-byte file`);
  const metaStart = size - 8 - metaLength;
  let metadata: Uint8Array;
  const pieces: { offset: number; bytes: Uint8Array }[] = [{ offset: tailStart, bytes: tail.bytes }];
  if (metaStart >= tailStart) metadata = tail.bytes.subarray(metaStart - tailStart, tail.bytes.byteLength - 8);
  else {
    const head = await get({ offset: metaStart, length: tailStart - metaStart });
    fetched += head.bytes.byteLength;
    pieces.push({ offset: metaStart, bytes: head.bytes });
    metadata = new Uint8Array(metaLength);
    metadata.set(head.bytes, 0);
    metadata.set(tail.bytes.subarray(0, tail.bytes.byteLength - 8), head.bytes.byteLength);
  }
  const spans = outside(spansFor(metadata, columns), Math.min(metaStart, tailStart), size);
  const got = await Promise.all(spans.map((s) => get(s)));
  for (let i = 0; i < spans.length; i++) {
    if (got[i]!.bytes.byteLength !== spans[i]!.length) throw new Error(`a range of ${spans[i]!.length} bytes at ${spans[i]!.offset} came back as ${got[i]!.bytes.byteLength}`);
    fetched += got[i]!.bytes.byteLength;
    pieces.push({ offset: spans[i]!.offset, bytes: got[i]!.bytes });
  }
  const fh = await fs.open(file, 'wx');
  try {
    await fh.truncate(size);
    for (const p of pieces) await fh.write(p.bytes, 0, p.bytes.byteLength, p.offset);
  } finally {
    await fh.close();
  }
  return fetched;
}
