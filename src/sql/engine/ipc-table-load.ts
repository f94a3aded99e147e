// Loads a table version's Arrow IPC files into a connection's temp table. DuckDB core cannot read
// Arrow IPC (its arrow extension is a network install, and extensions are off), so the files are
// decoded with quiver's own IPC code (compressed bodies and dictionary deltas included) and
// appended chunk by chunk: fixed-width columns by raw buffer copies, strings and binary one
// native call per value, and the few types with no DuckDB form as text (stored-types.ts says
// which). The temp table lives as long as the statement's connection.
import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk, type DuckDBConnection } from '@duckdb/node-api';
import { DataType, DateUnit, IntervalUnit, Message, MessageHeader, TimeUnit, Type, type Data, type Schema, type Vector } from 'apache-arrow';
import { BatchDecoder } from '../../arrow/batch-codec.ts';
import { readArrowStreamFile } from '../../storage/arrow-stream-files.ts';
import { QuiverError } from '../../errors.ts';
import { duckTypeSql } from './stored-types.ts';
import { quoteIdentifier } from './sql-tokens.ts';

const CHUNK_ROWS = 2048;

/** The DuckDB column type of a stored column in an IPC-loaded table. */
export function ipcColumnType(type: DataType): string {
  if (DataType.isDictionary(type)) return ipcColumnType(type.dictionary);
  if (isNested(type)) return 'VARCHAR';
  return duckTypeSql(type);
}

const isNested = (type: DataType) =>
  [Type.List, Type.LargeList, Type.FixedSizeList, Type.Struct, Type.Map, Type.Union, Type.DenseUnion, Type.SparseUnion].includes(type.typeId);

/** CREATE TEMP TABLE for the IPC part of a snapshot, with the stored schema's columns. */
export function ipcTableDdl(table: string, schema: Schema): string {
  const cols = schema.fields.map((f) => `${quoteIdentifier(f.name)} ${ipcColumnType(f.type)}`);
  return `CREATE TEMP TABLE ${table} (${cols.join(', ')})`;
}

export async function loadIpcFiles(con: DuckDBConnection, table: string, files: string[]): Promise<void> {
  const appender = await con.createAppender(table, null, 'temp');
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
        for (let start = 0; start < batch.numRows; start += CHUNK_ROWS) {
          const n = Math.min(CHUNK_ROWS, batch.numRows - start);
          const chunk = DuckDBDataChunk.create(types, n);
          for (let col = 0; col < types.length; col++) {
            const vector = batch.getChildAt(col)!.slice(start, start + n);
            writeColumn(duckdb.data_chunk_get_vector(chunk.chunk, col), vector, n);
          }
          appender.appendDataChunk(chunk);
        }
      }
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/** Copies `bytes` (any typed array) into the start of a DuckDB vector's data. */
function copyInto(vec: duckdb.Vector, bytes: ArrayBufferView): void {
  duckdb.copy_data_to_vector(vec, 0, bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
}

function writeColumn(vec: duckdb.Vector, vector: Vector, n: number): void {
  const data = vector.data[0]! as Data;
  const type: DataType = vector.type;
  if (vector.nullCount > 0 || type.typeId === Type.Null) {
    // The vector's mask is written by copy: the array node-bindings returns for it is a copy.
    duckdb.vector_ensure_validity_writable(vec);
    const mask = new Uint8Array(Math.ceil(n / 64) * 8);
    for (let i = 0; i < n; i++) if (type.typeId !== Type.Null && vector.isValid(i)) mask[i >> 3]! |= 1 << (i & 7);
    duckdb.copy_data_to_vector_validity(vec, 0, mask.buffer, 0, mask.byteLength);
  }
  const off = data.offset;
  switch (type.typeId) {
    case Type.Null: return;
    case Type.Bool: {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = vector.get(i) ? 1 : 0;
      return copyInto(vec, out);
    }
    case Type.Int:
    case Type.Float: {
      if (type.typeId === Type.Float && (type as unknown as { precision: number }).precision === 0) {
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) out[i] = vector.isValid(i) ? Number(vector.get(i)) : 0;
        return copyInto(vec, out);
      }
      const values = data.values as unknown as { subarray(a: number, b: number): ArrayBufferView };
      const stride = (type as unknown as { stride?: number }).stride ?? 1;
      return copyInto(vec, values.subarray(off * stride, (off + n) * stride));
    }
    case Type.Date: {
      if ((type as unknown as { unit: DateUnit }).unit === DateUnit.DAY) return copyInto(vec, (data.values as Int32Array).subarray(off, off + n));
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = Math.floor(Number(int64(data, i)) / 86_400_000);
      return copyInto(vec, out);
    }
    case Type.Time: {
      const t = type as unknown as { unit: TimeUnit; bitWidth: number };
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const raw = t.bitWidth === 64 ? int64(data, i) : BigInt((data.values as Int32Array)[off + i]!);
        out[i] = toMicros(raw, t.unit);
      }
      return copyInto(vec, out);
    }
    case Type.Timestamp: {
      const t = type as unknown as { unit: TimeUnit; timezone: string | null };
      if (!t.timezone) {
        const out = new BigInt64Array(n);
        for (let i = 0; i < n; i++) out[i] = int64(data, i);
        return copyInto(vec, out);
      }
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) out[i] = toMicros(int64(data, i), t.unit);
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
        if (type.typeId === Type.Duration) micros = toMicros(int64(data, i), (type as unknown as { unit: TimeUnit }).unit);
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
        if (!vector.isValid(i)) continue;
        duckdb.vector_assign_string_element_len(vec, i, bytes.subarray(Number(offsets[off + i]!), Number(offsets[off + i + 1]!)));
      }
      return;
    }
    case Type.FixedSizeBinary: {
      const width = (type as unknown as { byteWidth: number }).byteWidth;
      const bytes = data.values as Uint8Array;
      for (let i = 0; i < n; i++) if (vector.isValid(i)) duckdb.vector_assign_string_element_len(vec, i, bytes.subarray((off + i) * width, (off + i + 1) * width));
      return;
    }
    case Type.Dictionary: {
      // Dictionary columns are queried as their values.
      const valueType = (type as unknown as { dictionary: DataType }).dictionary;
      const encoder = new TextEncoder();
      for (let i = 0; i < n; i++) {
        if (!vector.isValid(i)) continue;
        const v = vector.get(i);
        if (DataType.isUtf8(valueType) || DataType.isLargeUtf8(valueType)) duckdb.vector_assign_string_element_len(vec, i, encoder.encode(String(v)));
        else if (v instanceof Uint8Array) duckdb.vector_assign_string_element_len(vec, i, v);
        else duckdb.vector_assign_string_element(vec, i, textOf(v));
      }
      return;
    }
  }
  // Nested values, unions and 256-bit decimals: their JSON text.
  for (let i = 0; i < n; i++) if (vector.isValid(i)) duckdb.vector_assign_string_element(vec, i, textOf(vector.get(i)));
}

function textOf(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? Buffer.from(x).toString('base64') : x)) ?? 'null';
}

function int64(data: Data, i: number): bigint {
  const values = data.values as unknown as BigInt64Array;
  return values[data.offset + i]!;
}

const PER_SECOND: Record<TimeUnit, bigint> = {
  [TimeUnit.SECOND]: 1n, [TimeUnit.MILLISECOND]: 1000n, [TimeUnit.MICROSECOND]: 1_000_000n, [TimeUnit.NANOSECOND]: 1_000_000_000n,
};

function toMicros(value: bigint, unit: TimeUnit): bigint {
  const per = PER_SECOND[unit];
  if (per >= 1_000_000n) {
    const d = per / 1_000_000n;
    const q = value / d;
    return value % d !== 0n && value < 0n ? q - 1n : q;
  }
  return value * (1_000_000n / per);
}
