// How Arrow types read as SQL types: the names clients show (ARROW:FLIGHT:SQL:TYPE_NAME, read by
// Power BI through ADBC and by JDBC's getColumns), precision and scale, and the XDBC type codes
// GetXdbcTypeInfo answers with. Names are DuckDB's, since DuckDB runs the queries.
import { DataType, Field, Schema, TimeUnit, Timestamp as TimestampType, type Decimal, type Dictionary, type Timestamp } from 'apache-arrow';

export function sqlTypeName(type: DataType): string {
  if (DataType.isDictionary(type)) return sqlTypeName((type as Dictionary).dictionary);
  if (DataType.isInt(type)) return ({ 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' } as Record<number, string>)[type.bitWidth]!.replace(/^/, type.isSigned ? '' : 'U');
  if (DataType.isFloat(type)) return type.precision === 2 ? 'DOUBLE' : 'FLOAT';
  if (DataType.isBool(type)) return 'BOOLEAN';
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isUtf8View?.(type)) return 'VARCHAR';
  if (DataType.isBinary(type) || DataType.isLargeBinary(type) || DataType.isFixedSizeBinary(type) || DataType.isBinaryView?.(type)) return 'BLOB';
  if (DataType.isDecimal(type)) return `DECIMAL(${(type as Decimal).precision},${(type as Decimal).scale})`;
  if (DataType.isDate(type)) return 'DATE';
  if (DataType.isTime(type)) return 'TIME';
  if (DataType.isTimestamp(type)) return (type as Timestamp).timezone ? 'TIMESTAMP WITH TIME ZONE' : 'TIMESTAMP';
  if (DataType.isInterval(type) || DataType.isDuration(type)) return 'INTERVAL';
  if (DataType.isList(type) || DataType.isFixedSizeList(type) || DataType.isLargeList?.(type)) return `${sqlTypeName(type.children[0]!.type)}[]`;
  if (DataType.isMap(type)) return 'MAP';
  if (DataType.isStruct(type)) return 'STRUCT';
  if (DataType.isUnion(type)) return 'UNION';
  if (DataType.isNull(type)) return 'NULL';
  return String(type).toUpperCase();
}

/** The XDBC (JDBC/ODBC) data type code of an Arrow type (FlightSql.proto's XdbcDataType). */
export function xdbcType(type: DataType): number {
  if (DataType.isDictionary(type)) return xdbcType((type as Dictionary).dictionary);
  if (DataType.isInt(type)) return ({ 8: -6, 16: 5, 32: 4, 64: -5 } as Record<number, number>)[type.bitWidth]!;
  if (DataType.isFloat(type)) return type.precision === 2 ? 8 : 6;
  if (DataType.isBool(type)) return -7;
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return 12;
  if (DataType.isBinary(type) || DataType.isLargeBinary(type) || DataType.isFixedSizeBinary(type)) return -3;
  if (DataType.isDecimal(type)) return 3;
  if (DataType.isDate(type)) return 91;
  if (DataType.isTime(type)) return 92;
  if (DataType.isTimestamp(type)) return 93;
  if (DataType.isInterval(type) || DataType.isDuration(type)) return 10;
  return 0;
}

const COLUMN_KEY = 'ARROW:FLIGHT:SQL:';

/** A field with Flight SQL column metadata added (keys it already has are kept). */
export function describedField(field: Field, table?: { catalog: string; schema: string; table: string }): Field {
  const meta = new Map(field.metadata);
  const set = (key: string, value: string) => {
    if (!meta.has(COLUMN_KEY + key)) meta.set(COLUMN_KEY + key, value);
  };
  if (table) {
    set('CATALOG_NAME', table.catalog);
    // FlightSql.proto's comment names DB_SCHEMA_NAME; arrow-go, Arrow Java and Arrow C++ read SCHEMA_NAME.
    set('DB_SCHEMA_NAME', table.schema);
    set('SCHEMA_NAME', table.schema);
    set('TABLE_NAME', table.table);
  }
  set('TYPE_NAME', sqlTypeName(field.type));
  const type = DataType.isDictionary(field.type) ? (field.type as Dictionary).dictionary : field.type;
  if (DataType.isDecimal(type)) {
    set('PRECISION', String((type as Decimal).precision));
    set('SCALE', String((type as Decimal).scale));
  }
  set('IS_AUTO_INCREMENT', '0');
  set('IS_CASE_SENSITIVE', DataType.isUtf8(type) || DataType.isLargeUtf8(type) ? '1' : '0');
  // A stored table's columns take INSERTs; a query's result columns are computed.
  set('IS_READ_ONLY', table ? '0' : '1');
  set('IS_SEARCHABLE', '1');
  return new Field(field.name, field.type, field.nullable, meta);
}

export function describedSchema(schema: Schema, table?: { catalog: string; schema: string; table: string }): Schema {
  return new Schema(schema.fields.map((f) => describedField(f, table)), schema.metadata);
}

/**
 * The parameter schema a prepared statement advertises. Timestamps are declared in milliseconds:
 * Arrow Java's JDBC driver (18.x and 19.0) writes setTimestamp's epoch milliseconds into the
 * parameter vector whatever its unit says, so a microsecond parameter (DuckDB's TIMESTAMP)
 * would bind a date in January 1970. The engine binds a timestamp parameter of any unit, so
 * clients that send their own unit (ADBC) are unaffected.
 */
export function advertisedParameterSchema(schema: Schema): Schema {
  return new Schema(schema.fields.map((f) => {
    if (!DataType.isTimestamp(f.type)) return f;
    const t = f.type as Timestamp;
    return t.unit === TimeUnit.MILLISECOND ? f : new Field(f.name, new TimestampType(TimeUnit.MILLISECOND, t.timezone), f.nullable, f.metadata);
  }), schema.metadata);
}
