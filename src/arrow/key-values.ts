// Lookup keys: each row's key column values as one JavaScript Map key. Values are compared as
// stored (integers and temporal values by their integer, strings and binary by their bytes),
// so equality is exact; nulls (and float NaN) have no key and so never match.
import { DataType, Type, util, type Data, type Dictionary, type Vector } from 'apache-arrow';

export type KeyValue = number | bigint | string;
/** The key of a row, or undefined when it has none (a null in any key column). */
export type KeyReader = (row: number) => KeyValue | undefined;

/** Key columns are compared by value type: a dictionary-encoded column's key is its value. */
export const valueType = (type: DataType): DataType => (DataType.isDictionary(type) ? (type as Dictionary).dictionary : type);

const KEY_TYPES = new Set<number>([
  Type.Int, Type.Float, Type.Bool, Type.Utf8, Type.LargeUtf8, Type.Binary, Type.LargeBinary, Type.FixedSizeBinary,
  Type.Date, Type.Time, Type.Timestamp, Type.Duration, Type.Decimal,
]);

/** Why a column of this type cannot be a key, or null when it can. */
export function keyTypeProblem(type: DataType): string | null {
  const t = valueType(type);
  if (!KEY_TYPES.has(t.typeId)) return `${typeName(type)} values cannot be compared as lookup keys; use an integer, string, binary, boolean, date/time or decimal column`;
  if (t.typeId === Type.Float && (t as unknown as { precision: number }).precision === 0) return 'float16 keys are not supported; cast the column to float32';
  return null;
}

/** Input and table key columns match when their value types are equal (dictionary encoding aside). */
export const sameKeyType = (a: DataType, b: DataType): boolean => util.compareTypes(valueType(a), valueType(b));

const UNITS = ['s', 'ms', 'us', 'ns'];

/** A type as Arrow C++ and pyarrow print it (int64, string, timestamp[ms, tz=UTC]), which is what users see. */
export function typeName(type: DataType): string {
  const t = type as unknown as Record<string, number | string | boolean | DataType | null>;
  const child = (i: number) => typeName((type.children as { type: DataType }[])[i]!.type);
  switch (type.typeId) {
    case Type.Int: return `${t.isSigned ? '' : 'u'}int${t.bitWidth}`;
    case Type.Float: return ['halffloat', 'float', 'double'][t.precision as number]!;
    case Type.Utf8: return 'string';
    case Type.LargeUtf8: return 'large_string';
    case Type.Binary: return 'binary';
    case Type.LargeBinary: return 'large_binary';
    case Type.Bool: return 'bool';
    case Type.Null: return 'null';
    case Type.Decimal: return `decimal${t.bitWidth}(${t.precision}, ${t.scale})`;
    case Type.Date: return t.unit === 0 ? 'date32[day]' : 'date64[ms]';
    case Type.Time: return `time${t.bitWidth}[${UNITS[t.unit as number]}]`;
    case Type.Timestamp: return `timestamp[${UNITS[t.unit as number]}${t.timezone ? `, tz=${t.timezone}` : ''}]`;
    case Type.Duration: return `duration[${UNITS[t.unit as number]}]`;
    case Type.FixedSizeBinary: return `fixed_size_binary[${t.byteWidth}]`;
    case Type.List: return `list<${child(0)}>`;
    case Type.LargeList: return `large_list<${child(0)}>`;
    case Type.FixedSizeList: return `fixed_size_list<${child(0)}>[${t.listSize}]`;
    case Type.Struct: return `struct<${(type.children as { name: string; type: DataType }[]).map((f) => `${f.name}: ${typeName(f.type)}`).join(', ')}>`;
    case Type.Dictionary: return `dictionary<values=${typeName(t.dictionary as DataType)}, indices=${typeName(t.indices as DataType)}>`;
    default: return String(type).toLowerCase();
  }
}

const latin1 = (bytes: Uint8Array, from: number, to: number) => Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1');

/** Reads keys from one chunk of a column. */
export function keyReader(data: Data): KeyReader {
  const values = DataType.isDictionary(data.type) ? dictionaryReader(data) : valueReader(data);
  if (data.nullCount === 0) return values;
  return (row) => (data.getValid(row) ? values(row) : undefined);
}

/** Keys of the rows of several columns at once, as one string per row. */
export function compositeKeyReader(columns: Data[]): KeyReader {
  if (columns.length === 1) return keyReader(columns[0]!);
  const readers = columns.map(keyReader);
  return (row) => {
    let key = '';
    for (const read of readers) {
      const part = read(row);
      if (part === undefined) return undefined;
      // Tagged and length-prefixed, so no two different tuples make the same string.
      const text = String(part);
      key += `${typeof part === 'string' ? 's' : typeof part === 'bigint' ? 'b' : 'n'}${text.length}:${text}`;
    }
    return key;
  };
}

const dictionaryKeys = new WeakMap<Vector, (KeyValue | undefined)[]>();

/** A dictionary-encoded column's keys: its dictionary's keys, looked up by index. */
function dictionaryReader(data: Data): KeyReader {
  const dictionary = data.dictionary!;
  // A stream's batches share their dictionary: its keys are read once, not once per batch.
  let keys = dictionaryKeys.get(dictionary);
  if (!keys) {
    keys = [];
    for (const chunk of dictionary.data) {
      const read = keyReader(chunk);
      for (let i = 0; i < chunk.length; i++) keys.push(read(i));
    }
    dictionaryKeys.set(dictionary, keys);
  }
  const known = keys;
  const indices = data.values as unknown as ArrayLike<number | bigint>;
  return (row) => known[Number(indices[row])];
}

function valueReader(data: Data): KeyReader {
  const type = data.type;
  const values = data.values as unknown as ArrayLike<number | bigint> & Uint8Array;
  switch (type.typeId) {
    case Type.Bool:
      return (row) => {
        const pos = data.offset + row;
        return (values[pos >> 3]! >> (pos & 7)) & 1;
      };
    case Type.Float:
      return (row) => {
        const v = values[row] as number;
        return Number.isNaN(v) ? undefined : v;
      };
    case Type.Utf8: case Type.Binary: case Type.LargeUtf8: case Type.LargeBinary: {
      const offsets = data.valueOffsets as unknown as ArrayLike<number | bigint>;
      return (row) => latin1(values, Number(offsets[row]!), Number(offsets[row + 1]!));
    }
    default: {
      // Fixed-width: one typed-array element per value, or several (decimal, fixed-size binary).
      const stride = data.stride;
      if (values instanceof BigInt64Array || values instanceof BigUint64Array) return int64Reader(values);
      if (stride === 1) return (row) => values[row]!;
      const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      const width = stride * (values as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
      return (row) => latin1(bytes, row * width, (row + 1) * width);
    }
  }
}

const TWO_32 = 2 ** 32;

/**
 * 64-bit integers as numbers where they are exactly representable (V8 hashes and compares small
 * numbers far faster than BigInts, which it also allocates on every read), as BigInts beyond.
 * One value always gets the same representation, so keys still compare exactly.
 */
function int64Reader(values: BigInt64Array | BigUint64Array): KeyReader {
  const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  const signed = values instanceof BigInt64Array;
  return (row) => {
    const lo = words[2 * row]! >>> 0;
    const hi = words[2 * row + 1]!;
    // |value| < 2^53: the high word is within 21 bits of sign extension.
    if (hi >= -0x200000 && hi < 0x200000 && (signed || hi >= 0)) return hi * TWO_32 + lo;
    return values[row]!;
  };
}
