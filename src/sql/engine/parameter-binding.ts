// Binds one row of an Arrow parameter batch (what ADBC and JDBC DoPut for a prepared statement)
// to a DuckDB prepared statement. Values are read from the Arrow buffers by type, so each Arrow
// type reaches DuckDB as its own SQL type (a timestamp stays a timestamp, a decimal its exact
// digits) and an Arrow Null-typed column binds SQL NULL whatever the parameter's type.
import {
  DuckDBDateValue, DuckDBDecimalValue, DuckDBIntervalValue, DuckDBTimestampMillisecondsValue, DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue, DuckDBTimestampTZValue, DuckDBTimestampValue, DuckDBTimeValue, type DuckDBPreparedStatement,
} from '@duckdb/node-api';
import { DataType, DateUnit, IntervalUnit, TimeUnit, Type, type Data, type RecordBatch } from 'apache-arrow';
import { invalidArgument } from '../../errors.ts';

const PER_SECOND: Record<TimeUnit, bigint> = {
  [TimeUnit.SECOND]: 1n, [TimeUnit.MILLISECOND]: 1000n, [TimeUnit.MICROSECOND]: 1_000_000n, [TimeUnit.NANOSECOND]: 1_000_000_000n,
};

/** Converts a count of `unit` to microseconds (floor division for finer units). */
function toMicros(value: bigint, unit: TimeUnit): bigint {
  const per = PER_SECOND[unit];
  if (per >= 1_000_000n) {
    const d = per / 1_000_000n;
    const q = value / d;
    return value % d !== 0n && value < 0n ? q - 1n : q;
  }
  return value * (1_000_000n / per);
}

/** The Data chunk and index within it of `row` of column `col`. */
function locate(batch: RecordBatch, col: number, row: number): { data: Data; index: number } {
  const vector = batch.getChildAt(col)!;
  let index = row;
  for (const data of vector.data) {
    if (index < data.length) return { data, index };
    index -= data.length;
  }
  throw invalidArgument(`parameter row ${row} is out of range`);
}

function int64At(data: Data, index: number): bigint {
  const values = data.values as unknown as BigInt64Array | Int32Array;
  if (values instanceof BigInt64Array) return values[data.offset + index]!;
  // Older layouts keep 64-bit values as pairs of 32-bit words.
  const i = (data.offset + index) * 2;
  return (BigInt(values[i + 1]!) << 32n) | BigInt(values[i]! >>> 0);
}

export function bindParameterRow(ps: DuckDBPreparedStatement, batch: RecordBatch, row: number): void {
  const count = ps.parameterCount;
  if (batch.numCols !== count) {
    throw invalidArgument(`the statement has ${count} parameter(s) but the parameter batch has ${batch.numCols} column(s)`);
  }
  for (let col = 0; col < count; col++) {
    const p = col + 1;
    const field = batch.schema.fields[col]!;
    const { data, index } = locate(batch, col, row);
    const type: DataType = data.type;
    if (type.typeId === Type.Null || !data.getValid(index)) {
      ps.bindNull(p);
      continue;
    }
    const vector = batch.getChildAt(col)!;
    const value = vector.get(row);
    switch (type.typeId) {
      case Type.Bool: ps.bindBoolean(p, Boolean(value)); break;
      case Type.Int: {
        const t = type as unknown as { bitWidth: number; isSigned: boolean };
        if (t.bitWidth === 64) (t.isSigned ? ps.bindBigInt(p, BigInt(value)) : ps.bindUBigInt(p, BigInt(value)));
        else if (t.isSigned) ({ 8: () => ps.bindTinyInt(p, value), 16: () => ps.bindSmallInt(p, value), 32: () => ps.bindInteger(p, value) })[t.bitWidth as 8]!();
        else ({ 8: () => ps.bindUTinyInt(p, value), 16: () => ps.bindUSmallInt(p, value), 32: () => ps.bindUInteger(p, value) })[t.bitWidth as 8]!();
        break;
      }
      case Type.Float:
        if ((type as unknown as { precision: number }).precision === 2) ps.bindDouble(p, Number(value));
        else ps.bindFloat(p, Number(value));
        break;
      case Type.Utf8:
      case Type.LargeUtf8: ps.bindVarchar(p, String(value)); break;
      case Type.Binary:
      case Type.LargeBinary:
      case Type.FixedSizeBinary: ps.bindBlob(p, value as Uint8Array); break;
      case Type.Date: {
        const unit = (type as unknown as { unit: DateUnit }).unit;
        const raw = unit === DateUnit.DAY ? Number((data.values as Int32Array)[data.offset + index]) : Number(int64At(data, index) / 86_400_000n);
        ps.bindDate(p, new DuckDBDateValue(raw));
        break;
      }
      case Type.Time: {
        const t = type as unknown as { unit: TimeUnit; bitWidth: number };
        const raw = t.bitWidth === 64 ? int64At(data, index) : BigInt((data.values as Int32Array)[data.offset + index]!);
        ps.bindTime(p, new DuckDBTimeValue(toMicros(raw, t.unit)));
        break;
      }
      case Type.Timestamp: {
        const t = type as unknown as { unit: TimeUnit; timezone: string | null };
        const raw = int64At(data, index);
        if (t.timezone) ps.bindTimestampTZ(p, new DuckDBTimestampTZValue(toMicros(raw, t.unit)));
        else if (t.unit === TimeUnit.SECOND) ps.bindTimestampSeconds(p, new DuckDBTimestampSecondsValue(raw));
        else if (t.unit === TimeUnit.MILLISECOND) ps.bindTimestampMilliseconds(p, new DuckDBTimestampMillisecondsValue(raw));
        else if (t.unit === TimeUnit.MICROSECOND) ps.bindTimestamp(p, new DuckDBTimestampValue(raw));
        else ps.bindTimestampNanoseconds(p, new DuckDBTimestampNanosecondsValue(raw));
        break;
      }
      case Type.Decimal: {
        const t = type as unknown as { precision: number; scale: number; bitWidth: number };
        if (t.bitWidth !== 128 || t.precision > 38) throw invalidArgument(`parameter ${p}: ${field.type} is wider than DuckDB's DECIMAL(38)`);
        const words = data.values as Uint32Array;
        const at = (data.offset + index) * 4;
        let v = 0n;
        for (let k = 3; k >= 0; k--) v = (v << 32n) | BigInt(words[at + k]!);
        if (v >= 1n << 127n) v -= 1n << 128n;
        ps.bindDecimal(p, new DuckDBDecimalValue(v, t.precision, t.scale));
        break;
      }
      case Type.Interval: {
        const unit = (type as unknown as { unit: IntervalUnit }).unit;
        const words = data.values as Int32Array;
        if (unit === IntervalUnit.YEAR_MONTH) ps.bindInterval(p, new DuckDBIntervalValue(words[data.offset + index]!, 0, 0n));
        else if (unit === IntervalUnit.DAY_TIME) {
          const at = (data.offset + index) * 2;
          ps.bindInterval(p, new DuckDBIntervalValue(0, words[at]!, BigInt(words[at + 1]!) * 1000n));
        } else {
          const at = (data.offset + index) * 4;
          const nanos = (BigInt(words[at + 3]!) << 32n) | BigInt(words[at + 2]! >>> 0);
          ps.bindInterval(p, new DuckDBIntervalValue(words[at]!, words[at + 1]!, toMicros(nanos, TimeUnit.NANOSECOND)));
        }
        break;
      }
      case Type.Dictionary: {
        // Dictionary-encoded parameters bind their value (arrow-js decodes it).
        if (typeof value === 'string') ps.bindVarchar(p, value);
        else if (value instanceof Uint8Array) ps.bindBlob(p, value);
        else if (typeof value === 'bigint') ps.bindBigInt(p, value);
        else if (typeof value === 'number') ps.bindDouble(p, value);
        else throw invalidArgument(`parameter ${p} (${field.name}) is dictionary-encoded ${field.type}, which quiver cannot bind`);
        break;
      }
      default:
        throw invalidArgument(`parameter ${p} (${field.name}) has Arrow type ${field.type}, which quiver cannot bind; send it as a string, number, binary, boolean, date, time, timestamp, decimal or interval`);
    }
  }
}
