// Loads a table version's Arrow IPC files into a connection's temp table. DuckDB core cannot read
// Arrow IPC (its arrow extension is a network install, and extensions are off), so the files are
// decoded with quiver's own IPC code (compressed bodies and dictionary deltas included) and
// appended chunk by chunk: fixed-width columns by raw buffer copies, strings and binary one
// native call per value, lists, maps and structs as DuckDB's own nested vectors (so they are
// LIST / MAP / STRUCT in SQL, as GetTables reports them), and the few types with no DuckDB form
// as text (stored-types.ts says which). ipc-store.ts keeps the loaded tables for later queries.
import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk, type DuckDBConnection } from '@duckdb/node-api';
import { DataType, DateUnit, IntervalUnit, Message, MessageHeader, TimeUnit, Type, makeVector, type Data, type Field, type Schema } from 'apache-arrow';
import { BatchDecoder } from '../../arrow/batch-codec.ts';
import { readArrowStreamFile } from '../../storage/arrow-stream-files.ts';
import { QuiverError } from '../../errors.ts';
import { duckTypeSql } from './stored-types.ts';
import { quoteIdentifier } from './sql-tokens.ts';
import { toMicros } from './time-units.ts';

const CHUNK_ROWS = 2048;

/** The DuckDB column type of a stored column in an IPC-loaded table. */
export function ipcColumnType(type: DataType): string {
  if (DataType.isDictionary(type)) return ipcColumnType(type.dictionary);
  if (nestedAsText(type)) return 'VARCHAR';
  switch (type.typeId) {
    case Type.List:
    case Type.LargeList: return `${ipcColumnType((type.children[0] as Field).type)}[]`;
    case Type.FixedSizeList: return `${ipcColumnType((type.children[0] as Field).type)}[${(type as unknown as { listSize: number }).listSize}]`;
    case Type.Struct:
      return `STRUCT(${(type.children as Field[]).map((f) => `${quoteIdentifier(f.name)} ${ipcColumnType(f.type)}`).join(', ')})`;
    case Type.Map: {
      const entries = (type.children[0] as Field).type;
      return `MAP(${ipcColumnType(entries.children[0]!.type)}, ${ipcColumnType(entries.children[1]!.type)})`;
    }
    default: return duckTypeSql(type);
  }
}

/**
 * Nested types DuckDB has no form for, kept as JSON text: unions, and structs DuckDB refuses
 * (no fields, or two fields whose names differ only in case, as DuckDB names are case-insensitive).
 */
function nestedAsText(type: DataType): boolean {
  if (DataType.isUnion(type)) return true;
  if (!DataType.isStruct(type)) return false;
  const names = type.children.map((f) => f.name.toLowerCase());
  return names.length === 0 || new Set(names).size !== names.length;
}

/** The column list of a table holding IPC rows of `schema`: `(name TYPE, ...)`. */
export function ipcTableColumns(schema: Schema): string {
  return `(${schema.fields.map((f) => `${quoteIdentifier(f.name)} ${ipcColumnType(f.type)}`).join(', ')})`;
}

/**
 * Appends the rows of `files` to `table` (in `catalog`'s main schema); returns the Arrow bytes
 * decoded, an estimate of the memory the rows take in DuckDB.
 */
export async function loadIpcFiles(con: DuckDBConnection, catalog: string, table: string, files: string[]): Promise<number> {
  const appender = await con.createAppender(table, 'main', catalog);
  let bytes = 0;
  try {
    const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
    for (const file of files) {
      let decoder: BatchDecoder | null = null;
      for await (const frame of readArrowStreamFile(file, { skipSchema: false })) {
        if (decoder === null) {
          const message = Message.decode(frame.header);
          if (message.headerType !== MessageHeader.Schema) throw new QuiverError('DATA_LOSS', `${file}: the Arrow stream does not start with a schema`);
          decoder = new BatchDecoder(message.header() as unknown as Schema);
          continue;
        }
        const batch = decoder.decode(frame);
        if (batch === null) continue;
        bytes += batch.data.byteLength;
        for (let start = 0; start < batch.numRows; start += CHUNK_ROWS) {
          const n = Math.min(CHUNK_ROWS, batch.numRows - start);
          const chunk = DuckDBDataChunk.create(types, n);
          for (let col = 0; col < types.length; col++) {
            writeColumn(duckdb.data_chunk_get_vector(chunk.chunk, col), batch.data.children[col]!, start, n);
          }
          appender.appendDataChunk(chunk);
        }
      }
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  return bytes;
}

/** Copies `bytes` (any typed array) into the start of a DuckDB vector's data. */
function copyInto(vec: duckdb.Vector, bytes: ArrayBufferView): void {
  duckdb.copy_data_to_vector(vec, 0, bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
}

/** Whether row `row` of `data` (its own row numbering, offset included below) is valid. */
function isValid(data: Data, row: number): boolean {
  if (data.typeId === Type.Null) return false;
  const bitmap = data.nullBitmap;
  if (data.nullCount === 0 || !bitmap || bitmap.length === 0) return true;
  const bit = data.offset + row;
  return (bitmap[bit >> 3]! & (1 << (bit & 7))) !== 0;
}

/**
 * Writes rows start .. start+n of `data` into rows 0 .. n-1 of a DuckDB vector. `data` is never
 * sliced: its buffers are indexed with its own offset, as the Arrow format lays them out, so the
 * same code serves a batch's columns and the children of nested columns. `parentValid` is the
 * validity of an enclosing struct: DuckDB expects a null struct's fields to be null too.
 */
function writeColumn(vec: duckdb.Vector, data: Data, start: number, n: number, parentValid?: (i: number) => boolean): void {
  const type: DataType = data.type;
  if (data.nullCount !== 0 || type.typeId === Type.Null || parentValid) {
    // The vector's mask is written by copy: the array node-bindings returns for it is a copy.
    duckdb.vector_ensure_validity_writable(vec);
    const mask = new Uint8Array(Math.ceil(n / 64) * 8);
    for (let i = 0; i < n; i++) if (isValid(data, start + i) && (parentValid?.(i) ?? true)) mask[i >> 3]! |= 1 << (i & 7);
    duckdb.copy_data_to_vector_validity(vec, 0, mask.buffer, 0, mask.byteLength);
  }
  const off = data.offset + start;
  switch (type.typeId) {
    case Type.Null: return;
    case Type.Bool: {
      const out = new Uint8Array(n);
      const bits = data.values as Uint8Array;
      for (let i = 0; i < n; i++) out[i] = (bits[(off + i) >> 3]! >> ((off + i) & 7)) & 1;
      return copyInto(vec, out);
    }
    case Type.Int:
    case Type.Float: {
      if (type.typeId === Type.Float && (type as unknown as { precision: number }).precision === 0) {
        const vector = makeVector(data);
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) out[i] = isValid(data, start + i) ? Number(vector.get(start + i)) : 0;
        return copyInto(vec, out);
      }
      const values = data.values as unknown as { subarray(a: number, b: number): ArrayBufferView };
      const stride = (type as unknown as { stride?: number }).stride ?? 1;
      return copyInto(vec, values.subarray(off * stride, (off + n) * stride));
    }
    case Type.Date: {
      if ((type as unknown as { unit: DateUnit }).unit === DateUnit.DAY) return copyInto(vec, (data.values as Int32Array).subarray(off, off + n));
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = Math.floor(Number(int64(data, off + i)) / 86_400_000);
      return copyInto(vec, out);
    }
    case Type.Time: {
      const t = type as unknown as { unit: TimeUnit; bitWidth: number };
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const raw = t.bitWidth === 64 ? int64(data, off + i) : BigInt((data.values as Int32Array)[off + i]!);
        out[i] = toMicros(raw, t.unit);
      }
      return copyInto(vec, out);
    }
    case Type.Timestamp: {
      const t = type as unknown as { unit: TimeUnit; timezone: string | null };
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) out[i] = t.timezone ? toMicros(int64(data, off + i), t.unit) : int64(data, off + i);
      return copyInto(vec, out);
    }
    case Type.Decimal: {
      const t = type as unknown as { precision: number; bitWidth: number };
      const words = data.values as Uint32Array;
      const w = t.bitWidth / 32;
      if (t.bitWidth !== 128 && t.precision > 38) break;
      if (t.precision > 18) {
        const out = new Uint32Array(n * 4);
        for (let i = 0; i < n; i++) for (let k = 0; k < 4; k++) out[i * 4 + k] = words[(off + i) * w + k]!;
        return copyInto(vec, out);
      }
      const width = t.precision <= 4 ? 2 : t.precision <= 9 ? 4 : 8;
      const out = new DataView(new ArrayBuffer(n * width));
      for (let i = 0; i < n; i++) {
        const lo = words[(off + i) * w]!;
        const hi = words[(off + i) * w + 1]!;
        if (width === 2) out.setInt16(i * 2, lo, true);
        else if (width === 4) out.setInt32(i * 4, lo, true);
        else (out.setUint32(i * 8, lo, true), out.setUint32(i * 8 + 4, hi, true));
      }
      return copyInto(vec, new Uint8Array(out.buffer));
    }
    case Type.Interval:
    case Type.Duration: {
      const out = new DataView(new ArrayBuffer(n * 16));
      const words = data.values as unknown as Int32Array;
      for (let i = 0; i < n; i++) {
        let months = 0;
        let days = 0;
        let micros = 0n;
        if (type.typeId === Type.Duration) micros = toMicros(int64(data, off + i), (type as unknown as { unit: TimeUnit }).unit);
        else {
          const unit = (type as unknown as { unit: IntervalUnit }).unit;
          if (unit === IntervalUnit.YEAR_MONTH) months = words[off + i]!;
          else if (unit === IntervalUnit.DAY_TIME) (days = words[(off + i) * 2]!, (micros = BigInt(words[(off + i) * 2 + 1]!) * 1000n));
          else {
            const at = (off + i) * 4;
            months = words[at]!;
            days = words[at + 1]!;
            micros = toMicros((BigInt(words[at + 3]!) << 32n) | BigInt(words[at + 2]! >>> 0), TimeUnit.NANOSECOND);
          }
        }
        out.setInt32(i * 16, months, true);
        out.setInt32(i * 16 + 4, days, true);
        out.setBigInt64(i * 16 + 8, micros, true);
      }
      return copyInto(vec, new Uint8Array(out.buffer));
    }
    case Type.Utf8:
    case Type.Binary:
    case Type.LargeUtf8:
    case Type.LargeBinary: {
      const offsets = data.valueOffsets as unknown as ArrayLike<number | bigint>;
      const bytes = data.values as Uint8Array;
      for (let i = 0; i < n; i++) {
        if (!isValid(data, start + i)) continue;
        duckdb.vector_assign_string_element_len(vec, i, bytes.subarray(Number(offsets[off + i]!), Number(offsets[off + i + 1]!)));
      }
      return;
    }
    case Type.FixedSizeBinary: {
      const width = (type as unknown as { byteWidth: number }).byteWidth;
      const bytes = data.values as Uint8Array;
      for (let i = 0; i < n; i++) if (isValid(data, start + i)) duckdb.vector_assign_string_element_len(vec, i, bytes.subarray((off + i) * width, (off + i + 1) * width));
      return;
    }
    case Type.Dictionary: {
      // Dictionary columns are queried as their values.
      const vector = makeVector(data);
      const valueType = (type as unknown as { dictionary: DataType }).dictionary;
      const encoder = new TextEncoder();
      for (let i = 0; i < n; i++) {
        if (!isValid(data, start + i)) continue;
        const v = vector.get(start + i);
        if (DataType.isUtf8(valueType) || DataType.isLargeUtf8(valueType)) duckdb.vector_assign_string_element_len(vec, i, encoder.encode(String(v)));
        else if (v instanceof Uint8Array) duckdb.vector_assign_string_element_len(vec, i, v);
        else duckdb.vector_assign_string_element(vec, i, textOf(v));
      }
      return;
    }
    case Type.FixedSizeList: {
      // ARRAY(size): row i's values are child rows i*size .. i*size+size, nulls included.
      const size = (type as unknown as { listSize: number }).listSize;
      if (size > 0) writeColumn(duckdb.array_vector_get_child(vec), data.children[0]!, off * size, n * size);
      return;
    }
    case Type.List:
    case Type.LargeList:
    case Type.Map: {
      // DuckDB lists (and maps, lists of key/value structs) are {offset, length} entries over
      // one child vector; the child rows this chunk needs are copied once, contiguously.
      const offsets = data.valueOffsets as unknown as ArrayLike<number | bigint>;
      const at = (row: number) => Number(offsets[row]!);
      const first = at(off);
      const total = at(off + n) - first;
      const entries = new BigUint64Array(n * 2);
      for (let i = 0; i < n; i++) {
        entries[i * 2] = BigInt(at(off + i) - first);
        entries[i * 2 + 1] = BigInt(at(off + i + 1) - at(off + i));
      }
      copyInto(vec, entries);
      duckdb.list_vector_reserve(vec, total);
      duckdb.list_vector_set_size(vec, total);
      if (total > 0) writeColumn(duckdb.list_vector_get_child(vec), data.children[0]!, first, total);
      return;
    }
    case Type.Struct: {
      if (nestedAsText(type)) break;
      // As the Arrow format says, the struct's offset applies to its children's rows too.
      const valid = data.nullCount === 0 && !parentValid ? undefined : (i: number) => isValid(data, start + i) && (parentValid?.(i) ?? true);
      data.children.forEach((child, k) => writeColumn(duckdb.struct_vector_get_child(vec, k), child, off, n, valid));
      return;
    }
  }
  // Unions, structs DuckDB refuses and 256-bit decimals: their JSON text.
  const vector = makeVector(data);
  for (let i = 0; i < n; i++) if (isValid(data, start + i)) duckdb.vector_assign_string_element(vec, i, textOf(vector.get(start + i)));
}

function textOf(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? Buffer.from(x).toString('base64') : x)) ?? 'null';
}

/** The 64-bit value at buffer index `at` (the data's offset already added). */
function int64(data: Data, at: number): bigint {
  return (data.values as unknown as BigInt64Array)[at]!;
}

