// INSERT's rows, shaped as the target table stores them. The engine yields what the SELECT or
// VALUES part produces (its own column names, DuckDB's literal types: 1 is INTEGER); an append
// must carry the table's schema exactly, so columns are matched (by the INSERT's column list, or
// by position), missing ones filled with nulls, and numbers converted where the value survives.
// Anything else is refused with the column and both types named.
import { DataType, Field, RecordBatch, Schema, Struct, makeData, makeVector, util, vectorFromArray, type Data, type Timestamp } from 'apache-arrow';
import { decodeSchema, encodeSchema } from '../arrow/ipc-message.ts';
import { invalidArgument } from '../errors.ts';
import { sqlTypeName } from './sql-types.ts';

export type RowShaper = (batch: RecordBatch) => RecordBatch;

export function insertShaper(table: string, target: Schema, source: Schema, columns: string[] | null): RowShaper {
  const names = columns ?? target.fields.slice(0, source.fields.length).map((f) => f.name);
  if (names.length !== source.fields.length) {
    throw invalidArgument(`INSERT INTO ${JSON.stringify(table)} names ${names.length} columns but its rows have ${source.fields.length}`);
  }
  if (!columns && source.fields.length > target.fields.length) {
    throw invalidArgument(`INSERT INTO ${JSON.stringify(table)} gives ${source.fields.length} values per row; the table has ${target.fields.length} columns`);
  }
  const plan = target.fields.map((field) => {
    const i = names.findIndex((n) => n.toLowerCase() === field.name.toLowerCase());
    if (i < 0) {
      if (!field.nullable) throw invalidArgument(`INSERT INTO ${JSON.stringify(table)} gives no value for column ${JSON.stringify(field.name)}, which is NOT NULL`);
      return { field, source: -1, convert: false };
    }
    const from = source.fields[i]!.type;
    const same = sameType(from, field.type);
    if (!same && !convertible(from, field.type)) {
      throw invalidArgument(`INSERT INTO ${JSON.stringify(table)}: column ${JSON.stringify(field.name)} is ${sqlTypeName(field.type)} but the value given is ${sqlTypeName(from)}; CAST it to ${sqlTypeName(field.type)}`);
    }
    return { field, source: i, convert: !same };
  });
  for (const n of names) {
    if (!target.fields.some((f) => f.name.toLowerCase() === n.toLowerCase())) throw invalidArgument(`table ${JSON.stringify(table)} has no column ${JSON.stringify(n)}`);
  }
  return (batch) => {
    const children: Data[] = plan.map((p) => {
      if (p.source < 0) return nulls(p.field.type, batch.numRows);
      const data = batch.getChildAt(p.source)!;
      if (!p.convert) return data.data.length === 1 ? data.data[0]! : vectorFromArray([...data], p.field.type).data[0]!;
      if (DataType.isTimestamp(p.field.type)) return rescaleTimestamps(p.field.type, data.data);
      return convert(p.field, [...data]);
    });
    for (const [i, p] of plan.entries()) {
      if (!p.field.nullable && children[i]!.nullCount > 0) throw invalidArgument(`INSERT INTO ${JSON.stringify(table)}: column ${JSON.stringify(p.field.name)} is NOT NULL`);
    }
    return new RecordBatch(target, makeData({ type: new Struct(target.fields), length: batch.numRows, nullCount: 0, children }));
  };
}

/**
 * Type equality regardless of which arrow-js class spells it: its comparator is asymmetric
 * (a DateDay equals a decoded Date_ of unit DAY only one way round), so both sides go through
 * the same IPC decoding first.
 */
function sameType(a: DataType, b: DataType): boolean {
  const decoded = (t: DataType) => decodeSchema(encodeSchema(new Schema([new Field('x', t)]))).fields[0]!.type;
  return util.compareTypes(decoded(a), decoded(b));
}

const numeric = (t: DataType) => DataType.isInt(t) || DataType.isFloat(t);

/** Ticks per second of a timestamp unit. */
const TICKS = [1n, 1_000n, 1_000_000n, 1_000_000_000n];

function convertible(from: DataType, to: DataType): boolean {
  if (DataType.isNull(from)) return true;
  // A coarser timestamp into a finer column is exact (JDBC binds TIMESTAMP parameters in ms).
  if (DataType.isTimestamp(from) && DataType.isTimestamp(to)) return !from.timezone === !to.timezone && from.unit <= to.unit;
  if (numeric(from) && numeric(to)) return true;
  const text = (t: DataType) => DataType.isUtf8(t) || DataType.isLargeUtf8(t);
  return text(from) && text(to);
}

function convert(field: Field, values: unknown[]): Data {
  const type = field.type;
  const bigint = DataType.isInt(type) && type.bitWidth === 64;
  const out = values.map((v, row) => {
    if (v === null || v === undefined) return null;
    if (!numeric(type)) return v;
    const n = typeof v === 'bigint' ? v : Number(v);
    if (DataType.isInt(type)) {
      if (typeof n === 'number' && !Number.isInteger(n)) throw invalidArgument(`column ${JSON.stringify(field.name)} is ${sqlTypeName(type)}; row ${row + 1} gives ${n}: CAST or round it`);
      const big = BigInt(n);
      const bits = BigInt(type.bitWidth);
      const [lo, hi] = type.isSigned ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
      if (big < lo || big > hi) throw invalidArgument(`column ${JSON.stringify(field.name)} is ${sqlTypeName(type)}; row ${row + 1} gives ${big}, out of its range`);
      return bigint ? big : Number(big);
    }
    return Number(n);
  });
  return vectorFromArray(out, type).data[0]!;
}

/** Timestamps of a coarser unit as `type`'s unit (exact: a whole multiple). */
function rescaleTimestamps(type: Timestamp, chunks: readonly Data[]): Data {
  const length = chunks.reduce((n, d) => n + d.length, 0);
  const out = new BigInt64Array(length);
  const valid = new Uint8Array(Math.ceil(length / 8));
  let nullCount = 0;
  let at = 0;
  for (const d of chunks) {
    const factor = TICKS[type.unit]! / TICKS[(d.type as Timestamp).unit]!;
    const vector = makeVector(d);
    const raw = d.values as unknown as BigInt64Array;
    for (let i = 0; i < d.length; i++, at++) {
      if (!vector.isValid(i)) {
        nullCount++;
        continue;
      }
      valid[at >> 3]! |= 1 << (at & 7);
      out[at] = raw[i]! * factor;
    }
  }
  return makeData({ type, length, nullCount, nullBitmap: nullCount > 0 ? valid : undefined, data: out });
}

function nulls(type: DataType, length: number): Data {
  return vectorFromArray(new Array(length).fill(null), type).data[0]!;
}
