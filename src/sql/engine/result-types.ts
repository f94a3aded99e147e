// DuckDB result types -> the Arrow types Flight SQL clients expect (issue 15 section 6). The plan
// reports these before anything runs, and chunk-to-arrow.ts produces exactly these at execution,
// so both read the one table below. Types with no faithful Arrow form are refused at plan time
// with a hint to CAST, never silently turned into something else.
import {
  Binary, Bool, DataType, DateDay, Decimal, Dictionary, Field, FixedSizeList, Float32, Float64, Int16, Int32, Int64, Int8,
  Interval, IntervalUnit, List, Map_, Null, Struct, Time, TimeUnit, Timestamp, Uint16, Uint32, Uint64, Uint8, Utf8,
} from 'apache-arrow';
import {
  DuckDBArrayType, DuckDBDecimalType, DuckDBEnumType, DuckDBListType, DuckDBMapType, DuckDBStructType, DuckDBTypeId,
  type DuckDBType,
} from '@duckdb/node-api';
import { invalidArgument } from '../../errors.ts';

/** Dictionary ids must be unique within a schema; enum columns take them from here. */
export class DictionaryIds {
  private next = 0;
  take(): number {
    return this.next++;
  }
}

/** The Arrow type of a DuckDB type; throws INVALID_ARGUMENT (naming `column`) for one we cannot carry. */
export function arrowTypeOf(type: DuckDBType, column: string, ids: DictionaryIds): DataType {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN: return new Bool();
    case DuckDBTypeId.TINYINT: return new Int8();
    case DuckDBTypeId.SMALLINT: return new Int16();
    case DuckDBTypeId.INTEGER: return new Int32();
    case DuckDBTypeId.BIGINT: return new Int64();
    case DuckDBTypeId.UTINYINT: return new Uint8();
    case DuckDBTypeId.USMALLINT: return new Uint16();
    case DuckDBTypeId.UINTEGER: return new Uint32();
    case DuckDBTypeId.UBIGINT: return new Uint64();
    case DuckDBTypeId.FLOAT: return new Float32();
    case DuckDBTypeId.DOUBLE: return new Float64();
    // DuckDB keeps narrow decimals in 2/4/8 bytes; clients expect Decimal128, so they are widened.
    case DuckDBTypeId.DECIMAL: {
      const d = type as DuckDBDecimalType;
      return new Decimal(d.scale, d.width, 128);
    }
    case DuckDBTypeId.HUGEINT: return new Decimal(0, 38, 128);
    case DuckDBTypeId.VARCHAR: return new Utf8();
    case DuckDBTypeId.BLOB: return new Binary();
    // UUID as its canonical 36-character text: every client can print and compare it, while
    // FixedSizeBinary(16) would arrive as opaque bytes in JDBC and ADBC alike.
    case DuckDBTypeId.UUID: return new Utf8();
    case DuckDBTypeId.DATE: return new DateDay();
    case DuckDBTypeId.TIME: return new Time(TimeUnit.MICROSECOND, 64);
    case DuckDBTypeId.TIME_NS: return new Time(TimeUnit.NANOSECOND, 64);
    case DuckDBTypeId.TIMESTAMP: return new Timestamp(TimeUnit.MICROSECOND);
    case DuckDBTypeId.TIMESTAMP_S: return new Timestamp(TimeUnit.SECOND);
    case DuckDBTypeId.TIMESTAMP_MS: return new Timestamp(TimeUnit.MILLISECOND);
    case DuckDBTypeId.TIMESTAMP_NS: return new Timestamp(TimeUnit.NANOSECOND);
    case DuckDBTypeId.TIMESTAMP_TZ: return new Timestamp(TimeUnit.MICROSECOND, 'UTC');
    case DuckDBTypeId.INTERVAL: return new Interval(IntervalUnit.MONTH_DAY_NANO);
    case DuckDBTypeId.SQLNULL: return new Null();
    case DuckDBTypeId.ENUM: return new Dictionary(new Utf8(), new Int32(), ids.take());
    case DuckDBTypeId.LIST: {
      const child = (type as DuckDBListType).valueType;
      return new List(new Field('item', arrowTypeOf(child, column, ids), true));
    }
    case DuckDBTypeId.ARRAY: {
      const a = type as DuckDBArrayType;
      return new FixedSizeList(a.length, new Field('item', arrowTypeOf(a.valueType, column, ids), true));
    }
    case DuckDBTypeId.STRUCT: {
      const s = type as DuckDBStructType;
      return new Struct(s.entryNames.map((name, i) => new Field(name, arrowTypeOf(s.entryTypes[i]!, `${column}.${name}`, ids), true)));
    }
    case DuckDBTypeId.MAP: {
      const m = type as DuckDBMapType;
      const entries = new Struct([
        new Field('key', arrowTypeOf(m.keyType, `${column}.key`, ids), false),
        new Field('value', arrowTypeOf(m.valueType, `${column}.value`, ids), true),
      ]);
      return new Map_(new Field('entries', entries, false), false);
    }
    default:
      throw invalidArgument(
        `column ${column} has DuckDB type ${type.toString()}, which has no Arrow form quiver returns; ` +
        `CAST it (to VARCHAR, or to a numeric or temporal type) in the query`,
      );
  }
}

/** The enum dictionary values of an ENUM type (the Arrow dictionary of its column). */
export const enumValues = (type: DuckDBType): readonly string[] => (type as DuckDBEnumType).values;

/** Flight SQL column metadata (FlightSql.proto, CommandStatementQuery): what JDBC/ADBC show. */
export interface ColumnOrigin {
  catalog?: string;
  schema?: string;
  table?: string;
}

export function flightSqlMetadata(type: DuckDBType, origin: ColumnOrigin): Map<string, string> {
  const m = new Map<string, string>();
  m.set('ARROW:FLIGHT:SQL:TYPE_NAME', type.toString());
  if (origin.catalog !== undefined) m.set('ARROW:FLIGHT:SQL:CATALOG_NAME', origin.catalog);
  if (origin.schema !== undefined) {
    // FlightSql.proto's comment names DB_SCHEMA_NAME; arrow-go, Arrow Java and Arrow C++ read SCHEMA_NAME.
    m.set('ARROW:FLIGHT:SQL:DB_SCHEMA_NAME', origin.schema);
    m.set('ARROW:FLIGHT:SQL:SCHEMA_NAME', origin.schema);
  }
  if (origin.table !== undefined) m.set('ARROW:FLIGHT:SQL:TABLE_NAME', origin.table);
  if (type.typeId === DuckDBTypeId.DECIMAL) {
    const d = type as DuckDBDecimalType;
    m.set('ARROW:FLIGHT:SQL:PRECISION', String(d.width));
    m.set('ARROW:FLIGHT:SQL:SCALE', String(d.scale));
  }
  m.set('ARROW:FLIGHT:SQL:IS_AUTO_INCREMENT', '0');
  m.set('ARROW:FLIGHT:SQL:IS_CASE_SENSITIVE', type.typeId === DuckDBTypeId.VARCHAR ? '1' : '0');
  // Query results are never updatable in place: quiver writes are commits, not cursor updates.
  m.set('ARROW:FLIGHT:SQL:IS_READ_ONLY', '1');
  m.set('ARROW:FLIGHT:SQL:IS_SEARCHABLE', '1');
  return m;
}
