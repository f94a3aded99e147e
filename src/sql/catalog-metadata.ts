// The catalog calls of Flight SQL (GetCatalogs, GetDbSchemas, GetTables, GetTableTypes, the key
// calls and GetXdbcTypeInfo), answered with the protocol's exact result schemas. Name mapping:
// every quiver table is in catalog `quiver`, schema `main`, under its whole quiver name (which
// may contain '/'), so `quiver.main."sales/eu"` names table sales/eu; GetTables lists exactly
// what a query can name.
import { Binary, Bool, Field, Int32, List, RecordBatch, Schema, Uint8, Utf8 } from 'apache-arrow';
import { framePrefix } from '../arrow/ipc-framing.ts';
import { encodeSchema } from '../arrow/ipc-message.ts';
import { batchFromRows } from './arrow-columns.ts';
import { describedSchema } from './sql-types.ts';

export const CATALOG = 'quiver';
export const DB_SCHEMA = 'main';
export const TABLE_TYPE = 'TABLE';

const utf8 = (name: string, nullable = true) => new Field(name, new Utf8(), nullable);

export const CATALOGS_SCHEMA = new Schema([utf8('catalog_name', false)]);
export const DB_SCHEMAS_SCHEMA = new Schema([utf8('catalog_name'), utf8('db_schema_name', false)]);
export const TABLES_SCHEMA = new Schema([utf8('catalog_name'), utf8('db_schema_name'), utf8('table_name', false), utf8('table_type', false)]);
export const TABLES_WITH_SCHEMA_SCHEMA = new Schema([...TABLES_SCHEMA.fields, new Field('table_schema', new Binary(), false)]);
export const TABLE_TYPES_SCHEMA = new Schema([utf8('table_type', false)]);
export const PRIMARY_KEYS_SCHEMA = new Schema([
  utf8('catalog_name'), utf8('db_schema_name'), utf8('table_name', false), utf8('column_name', false),
  new Field('key_sequence', new Int32(), false), utf8('key_name'),
]);
export const FOREIGN_KEYS_SCHEMA = new Schema([
  utf8('pk_catalog_name'), utf8('pk_db_schema_name'), utf8('pk_table_name', false), utf8('pk_column_name', false),
  utf8('fk_catalog_name'), utf8('fk_db_schema_name'), utf8('fk_table_name', false), utf8('fk_column_name', false),
  new Field('key_sequence', new Int32(), false), utf8('fk_key_name'), utf8('pk_key_name'),
  new Field('update_rule', new Uint8(), false), new Field('delete_rule', new Uint8(), false),
]);

/**
 * SQL LIKE as Flight SQL filter patterns use it: % any run, _ one character, \ escapes the next.
 * Unset matches everything.
 */
export function likePattern(pattern: string | undefined | null): (s: string) => boolean {
  if (pattern === undefined || pattern === null) return () => true;
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) re += escapeRegex(pattern[++i]!);
    else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += escapeRegex(c);
  }
  const compiled = new RegExp(`^${re}$`, 'u');
  return (s) => compiled.test(s);
}

const escapeRegex = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A catalog filter: unset matches ours; "" means "without a catalog", which no quiver table is. */
const catalogMatches = (catalog: string | undefined | null) => catalog === undefined || catalog === null || catalog === CATALOG;

export function catalogsBatch(): RecordBatch {
  return batchFromRows(CATALOGS_SCHEMA, [{ catalog_name: CATALOG }]);
}

export function dbSchemasBatch(req: { catalog?: string; db_schema_filter_pattern?: string }): RecordBatch {
  const rows = catalogMatches(req.catalog) && likePattern(req.db_schema_filter_pattern)(DB_SCHEMA) ? [{ catalog_name: CATALOG, db_schema_name: DB_SCHEMA }] : [];
  return batchFromRows(DB_SCHEMAS_SCHEMA, rows);
}

export interface TablesRequest {
  catalog?: string;
  db_schema_filter_pattern?: string;
  table_name_filter_pattern?: string;
  table_types?: string[];
  include_schema?: boolean;
}

export function tablesSchema(req: { include_schema?: boolean }): Schema {
  return req.include_schema ? TABLES_WITH_SCHEMA_SCHEMA : TABLES_SCHEMA;
}

export function tablesBatch(req: TablesRequest, tables: { name: string; schema: Schema }[]): RecordBatch {
  const types = req.table_types ?? [];
  const listed = catalogMatches(req.catalog) && likePattern(req.db_schema_filter_pattern)(DB_SCHEMA)
    && (types.length === 0 || types.includes(TABLE_TYPE));
  const nameMatches = likePattern(req.table_name_filter_pattern);
  const rows = listed
    ? tables.filter((t) => nameMatches(t.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((t) => ({
      catalog_name: CATALOG,
      db_schema_name: DB_SCHEMA,
      table_name: t.name,
      table_type: TABLE_TYPE,
      ...(req.include_schema ? { table_schema: serializedSchema(describedSchema(t.schema, { catalog: CATALOG, schema: DB_SCHEMA, table: t.name })) } : {}),
    }))
    : [];
  return batchFromRows(tablesSchema(req), rows);
}

export function tableTypesBatch(): RecordBatch {
  return batchFromRows(TABLE_TYPES_SCHEMA, [{ table_type: TABLE_TYPE }]);
}

/** quiver tables have no primary or foreign keys: the calls answer their schemas with no rows. */
export const primaryKeysBatch = () => batchFromRows(PRIMARY_KEYS_SCHEMA, []);
export const foreignKeysBatch = () => batchFromRows(FOREIGN_KEYS_SCHEMA, []);

/** A schema as Flight SQL carries it in bytes fields: an encapsulated IPC Schema message. */
export function serializedSchema(schema: Schema): Uint8Array {
  return framePrefix(encodeSchema(schema));
}

export const XDBC_TYPE_INFO_SCHEMA = new Schema([
  utf8('type_name', false), new Field('data_type', new Int32(), false), new Field('column_size', new Int32(), true),
  utf8('literal_prefix'), utf8('literal_suffix'), new Field('create_params', new List(new Field('item', new Utf8(), false)), true),
  new Field('nullable', new Int32(), false), new Field('case_sensitive', new Bool(), false), new Field('searchable', new Int32(), false),
  new Field('unsigned_attribute', new Bool(), true), new Field('fixed_prec_scale', new Bool(), false), new Field('auto_increment', new Bool(), true),
  utf8('local_type_name'), new Field('minimum_scale', new Int32(), true), new Field('maximum_scale', new Int32(), true),
  new Field('sql_data_type', new Int32(), false), new Field('datetime_subcode', new Int32(), true), new Field('num_prec_radix', new Int32(), true),
  new Field('interval_precision', new Int32(), true),
]);

// One row per SQL type a quiver query returns (see sql-types.ts). Nullable 1 = NULLABILITY_NULLABLE,
// searchable 3 = SEARCHABLE_FULL; datetime subcodes per XdbcDatetimeSubcode.
const XDBC_TYPES: { name: string; type: number; size: number | null; prefix?: string; suffix?: string; params?: string[]; caseSensitive?: boolean; unsigned?: boolean | null; fixed?: boolean; minScale?: number; maxScale?: number; subcode?: number; radix?: number }[] = [
  { name: 'BOOLEAN', type: -7, size: 1 },
  { name: 'TINYINT', type: -6, size: 3, unsigned: false, radix: 10 },
  { name: 'SMALLINT', type: 5, size: 5, unsigned: false, radix: 10 },
  { name: 'INTEGER', type: 4, size: 10, unsigned: false, radix: 10 },
  { name: 'BIGINT', type: -5, size: 19, unsigned: false, radix: 10 },
  { name: 'FLOAT', type: 6, size: 24, unsigned: false, radix: 2 },
  { name: 'DOUBLE', type: 8, size: 53, unsigned: false, radix: 2 },
  { name: 'DECIMAL', type: 3, size: 38, params: ['precision', 'scale'], unsigned: false, fixed: true, minScale: 0, maxScale: 38, radix: 10 },
  { name: 'VARCHAR', type: 12, size: null, prefix: "'", suffix: "'", caseSensitive: true },
  { name: 'BLOB', type: -3, size: null, prefix: "'", suffix: "'::BLOB" },
  { name: 'DATE', type: 91, size: 10, prefix: "DATE '", suffix: "'", subcode: 1 },
  { name: 'TIME', type: 92, size: 15, prefix: "TIME '", suffix: "'", subcode: 2 },
  { name: 'TIMESTAMP', type: 93, size: 26, prefix: "TIMESTAMP '", suffix: "'", subcode: 3 },
  { name: 'TIMESTAMP WITH TIME ZONE', type: 93, size: 32, prefix: "TIMESTAMPTZ '", suffix: "'", subcode: 5 },
  { name: 'INTERVAL', type: 10, size: null, prefix: "INTERVAL '", suffix: "'" },
];

export function xdbcTypeInfoBatch(req: { data_type?: number }): RecordBatch {
  const rows = XDBC_TYPES.filter((t) => req.data_type === undefined || req.data_type === null || t.type === req.data_type).map((t) => ({
    type_name: t.name,
    data_type: t.type,
    column_size: t.size,
    literal_prefix: t.prefix ?? null,
    literal_suffix: t.suffix ?? null,
    create_params: t.params ?? null,
    nullable: 1,
    case_sensitive: t.caseSensitive ?? false,
    searchable: 3,
    unsigned_attribute: t.unsigned ?? null,
    fixed_prec_scale: t.fixed ?? false,
    auto_increment: false,
    local_type_name: t.name,
    minimum_scale: t.minScale ?? null,
    maximum_scale: t.maxScale ?? null,
    // SQL_DATA_TYPE: the datetime and interval types report their verbose code (9 DATETIME, 10 INTERVAL).
    sql_data_type: t.subcode !== undefined ? 9 : t.type,
    datetime_subcode: t.subcode ?? null,
    num_prec_radix: t.radix ?? null,
    interval_precision: null,
  }));
  return batchFromRows(XDBC_TYPE_INFO_SCHEMA, rows);
}
