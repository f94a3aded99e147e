// Which Arrow schemas survive Parquet exactly. parquet-wasm (arrow-rs) embeds the Arrow
// schema and restores most types from it; the rest must be kept as Arrow IPC instead, per
// file, so that no client ever loses a type or value. Unions also crash the wasm writer, so
// they must never reach it.
import { DataType, IntervalUnit, Type, type Field, type Schema } from 'apache-arrow';

const PARQUET_SAFE = new Set<Type>([
  Type.Null, Type.Bool, Type.Int, Type.Float, Type.Decimal, Type.Date, Type.Time, Type.Timestamp,
  Type.Interval, Type.Duration, Type.Utf8, Type.LargeUtf8, Type.Binary, Type.LargeBinary,
  Type.FixedSizeBinary, Type.List, Type.LargeList, Type.FixedSizeList, Type.Struct, Type.Map,
]);

/** Null when Parquet holds the schema exactly; otherwise why not, naming the column and type. */
export function parquetIneligibility(schema: Schema): string | null {
  for (const field of schema.fields) {
    const reason = fieldIneligibility(field, field.name);
    if (reason) return reason;
  }
  return null;
}

function fieldIneligibility(field: Field, path: string): string | null {
  if (field.metadata.has('ARROW:extension:name')) {
    return `column ${path} has extension type ${field.metadata.get('ARROW:extension:name')}`;
  }
  const type: DataType = field.type;
  // Parquet rebuilds dictionaries, so indices and dictionary values would not come back as put.
  if (DataType.isDictionary(type)) return `column ${path} is dictionary-encoded (${type})`;
  if (!PARQUET_SAFE.has(type.typeId)) return `column ${path} has type ${type} (${Type[type.typeId]})`;
  // arrow-rs has no Parquet mapping for month-day-nanosecond intervals.
  if (DataType.isInterval(type) && type.unit === IntervalUnit.MONTH_DAY_NANO) return `column ${path} has type ${type}`;
  for (const child of type.children ?? []) {
    const reason = fieldIneligibility(child, `${path}.${child.name}`);
    if (reason) return reason;
  }
  return null;
}
