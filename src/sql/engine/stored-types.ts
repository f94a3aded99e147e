// Stored Arrow types -> the DuckDB column types quiver tables are queried as, for tables whose
// data DuckDB does not read from Parquet itself: Arrow IPC files and tables with no files. The
// choices (README, Flight SQL section): dictionary columns become their values; extension types
// become their storage type; unions and 256-bit decimals become VARCHAR text of each value;
// durations become INTERVAL; sub-microsecond parts of month-day-nano intervals and
// nanosecond times are truncated to microseconds (DuckDB's INTERVAL/TIME resolution); Null
// columns become all-null INTEGER; every list kind becomes LIST (in an IPC-loaded table a
// fixed-size list is an ARRAY: ipc-table-load.ts).
import { DataType, TimeUnit, Type, type Field, type Decimal, type Timestamp } from 'apache-arrow';
import { quoteIdentifier } from './sql-tokens.ts';

/** The DuckDB SQL type a stored Arrow type is queried as. */
export function duckTypeSql(type: DataType): string {
  switch (type.typeId) {
    case Type.Null: return 'INTEGER';
    case Type.Bool: return 'BOOLEAN';
    case Type.Int: {
      const t = type as unknown as { bitWidth: number; isSigned: boolean };
      const name = { 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' }[t.bitWidth]!;
      return t.isSigned ? name : `U${name}`;
    }
    case Type.Float: return (type as unknown as { precision: number }).precision === 2 ? 'DOUBLE' : 'FLOAT';
    case Type.Decimal: {
      const d = type as Decimal;
      return d.bitWidth === 128 || d.precision <= 38 ? `DECIMAL(${d.precision},${d.scale})` : 'VARCHAR';
    }
    case Type.Date: return 'DATE';
    case Type.Time: return 'TIME';
    case Type.Timestamp: {
      const t = type as Timestamp;
      if (t.timezone) return 'TIMESTAMPTZ';
      return { [TimeUnit.SECOND]: 'TIMESTAMP_S', [TimeUnit.MILLISECOND]: 'TIMESTAMP_MS', [TimeUnit.MICROSECOND]: 'TIMESTAMP', [TimeUnit.NANOSECOND]: 'TIMESTAMP_NS' }[t.unit];
    }
    case Type.Interval:
    case Type.Duration: return 'INTERVAL';
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Utf8View: return 'VARCHAR';
    case Type.Binary:
    case Type.LargeBinary:
    case Type.BinaryView:
    case Type.FixedSizeBinary: return 'BLOB';
    case Type.Dictionary: return duckTypeSql((type as unknown as { dictionary: DataType }).dictionary);
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList: return `${duckTypeSql((type.children[0] as Field).type)}[]`;
    case Type.Struct:
      return `STRUCT(${(type.children as Field[]).map((f) => `${quoteIdentifier(f.name)} ${duckTypeSql(f.type)}`).join(', ')})`;
    case Type.Map: {
      const entries = (type.children[0] as Field).type;
      return `MAP(${duckTypeSql(entries.children[0]!.type)}, ${duckTypeSql(entries.children[1]!.type)})`;
    }
    default: return 'VARCHAR';
  }
}

