// Column types of a CSV file, inferred from its first rows the way pyarrow does: the narrowest
// of bool, int64, float64, timestamp (ISO 8601) and utf8 that parses every non-empty value.
// Empty fields are nulls, except in text columns, where they are empty strings.
import { Bool, Float64, Int64, TimestampMillisecond, Utf8, type DataType } from 'apache-arrow';

export type CsvType = 'bool' | 'int64' | 'float64' | 'timestamp' | 'utf8';

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity|nan)$/i;
const BOOL = /^(true|false)$/i;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const ORDER: CsvType[] = ['bool', 'int64', 'float64', 'timestamp', 'utf8'];

function fits(type: CsvType, v: string): boolean {
  switch (type) {
    case 'bool': return BOOL.test(v);
    case 'int64': {
      if (!INT.test(v)) return false;
      const n = BigInt(v);
      return n >= INT64_MIN && n <= INT64_MAX;
    }
    case 'float64': return FLOAT.test(v);
    case 'timestamp': return TIMESTAMP.test(v) && !Number.isNaN(Date.parse(v));
    case 'utf8': return true;
  }
}

/** The narrowest type every sample value fits; a column with no values is utf8. */
export function inferType(samples: Iterable<string>): CsvType {
  let candidates = ORDER.slice(0, -1);
  let any = false;
  for (const v of samples) {
    if (v === '') continue;
    any = true;
    candidates = candidates.filter((t) => fits(t, v));
    if (candidates.length === 0) return 'utf8';
  }
  return any ? candidates[0] ?? 'utf8' : 'utf8';
}

export function arrowType(type: CsvType): DataType {
  switch (type) {
    case 'bool': return new Bool();
    case 'int64': return new Int64();
    case 'float64': return new Float64();
    case 'timestamp': return new TimestampMillisecond();
    case 'utf8': return new Utf8();
  }
}

/** The value as the column's type, null for an empty field; undefined when it does not parse. */
export function parseValue(type: CsvType, v: string): unknown {
  if (type === 'utf8') return v;
  if (v === '') return null;
  if (!fits(type, v)) return undefined;
  switch (type) {
    case 'bool': return v.toLowerCase() === 'true';
    case 'int64': return BigInt(v);
    case 'float64': return parseFloatLike(v);
    case 'timestamp': return Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(v) || v.length === 10 ? v : `${v}Z`);
  }
}

function parseFloatLike(v: string): number {
  const lower = v.toLowerCase().replace(/^\+/, '');
  if (lower === 'nan') return NaN;
  if (lower === 'inf' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  return Number(v);
}
