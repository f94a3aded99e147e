// CommandGetSqlInfo: what this server tells SQL clients about itself. Filled generously, because
// the JDBC driver and the BI tools behind it fail on missing keys (DBeaver's getSQLKeywords,
// Tableau's getSQL92Level); the value union's schema is the protocol's exactly, child names and
// nullability as Arrow C++ has them, since clients compare it with metadata.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bool, DenseUnion, Field, Int32, Int64, List, Map_, RecordBatch, Schema, Struct, Uint32, Utf8, makeData, type Data } from 'apache-arrow';
import { batchOf, column } from './arrow-columns.ts';

const require = createRequire(import.meta.url);

/** quiver's own package.json: the nearest one above this module (src/ when run by tsx, build/ compiled). */
function quiverVersion(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'quiver' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}
// apache-arrow's exports map hides its package.json; it sits beside the entry point.
const QUIVER_VERSION = quiverVersion();
const ARROW_VERSION = (JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('apache-arrow')), 'package.json'), 'utf8')) as { version: string }).version;

type InfoValue =
  | { string: string }
  | { bool: boolean }
  | { bigint: number }
  | { bitmask: number }
  | { list: string[] }
  | { map: Record<number, number[]> };

const itemList = (type: Utf8 | Int32) => new List(new Field('item', type, true));
const ENTRY_TYPE = new Struct<{ key: Int32; value: List<Int32> }>([new Field('key', new Int32(), false), new Field('value', new List(new Field('item', new Int32(), true)), true)]);
const MAP_TYPE = new Map_(new Field('entries', ENTRY_TYPE, false) as never, false);
const UNION_FIELDS = [
  new Field('string_value', new Utf8(), false),
  new Field('bool_value', new Bool(), false),
  new Field('bigint_value', new Int64(), false),
  new Field('int32_bitmask', new Int32(), false),
  new Field('string_list', itemList(new Utf8()), false),
  new Field('int32_to_int32_list_map', MAP_TYPE, false),
];
const UNION_TYPE = new DenseUnion([0, 1, 2, 3, 4, 5], UNION_FIELDS);

export const SQL_INFO_SCHEMA = new Schema([new Field('info_name', new Uint32(), false), new Field('value', UNION_TYPE, false)]);

const bits = (...positions: number[]) => positions.reduce((m, p) => m | (1 << p), 0);

// SqlSupportsConvert / XdbcDataType codes for the conversion map: DuckDB casts between all of these.
const CONVERTIBLE = [0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19];

const KEYWORDS = ['ANALYZE', 'ASOF', 'ATTACH', 'COLUMNS', 'COPY', 'DESCRIBE', 'EXCLUDE', 'EXPORT', 'GLOB', 'ILIKE', 'INSTALL', 'LOAD',
  'MACRO', 'PIVOT', 'POSITIONAL', 'PRAGMA', 'QUALIFY', 'REPLACE', 'SAMPLE', 'SEMI', 'ANTI', 'SUMMARIZE', 'UNPIVOT', 'VERSION'];
const NUMERIC_FUNCTIONS = ['abs', 'acos', 'asin', 'atan', 'atan2', 'cbrt', 'ceil', 'cos', 'cot', 'degrees', 'exp', 'floor', 'ln', 'log',
  'log10', 'log2', 'mod', 'pi', 'pow', 'power', 'radians', 'random', 'round', 'sign', 'sin', 'sqrt', 'tan', 'trunc'];
const STRING_FUNCTIONS = ['ascii', 'chr', 'concat', 'concat_ws', 'contains', 'ends_with', 'left', 'length', 'lower', 'lpad', 'ltrim',
  'position', 'regexp_matches', 'regexp_replace', 'repeat', 'replace', 'reverse', 'right', 'rpad', 'rtrim', 'split_part', 'starts_with',
  'strpos', 'substr', 'substring', 'trim', 'upper'];
const SYSTEM_FUNCTIONS = ['coalesce', 'current_catalog', 'current_schema', 'ifnull', 'nullif', 'typeof', 'version'];
const DATETIME_FUNCTIONS = ['age', 'current_date', 'current_time', 'current_timestamp', 'date_add', 'date_diff', 'date_part', 'date_sub',
  'date_trunc', 'dayname', 'epoch', 'extract', 'last_day', 'make_date', 'make_time', 'make_timestamp', 'monthname', 'now',
  'strftime', 'strptime', 'time_bucket', 'to_timestamp'];

/** Every value this server answers, by SqlInfo code (FlightSql.proto's enum SqlInfo). */
export function sqlInfoValues(options: { readOnly: boolean }): Map<number, InfoValue> {
  const v = new Map<number, InfoValue>([
    [0, { string: 'quiver' }], // FLIGHT_SQL_SERVER_NAME
    [1, { string: QUIVER_VERSION }],
    [2, { string: ARROW_VERSION }],
    [3, { bool: options.readOnly }],
    [4, { bool: true }], // SQL
    [5, { bool: false }], // Substrait
    [8, { bitmask: 0 }], // FLIGHT_SQL_SERVER_TRANSACTION: SQL_SUPPORTED_TRANSACTION_NONE (an int32 in the bitmask slot, as C++ sends it)
    [9, { bool: true }], // CancelFlightInfo / CancelQuery
    [10, { bool: true }], // bulk ingestion
    [11, { bool: false }], // ingest transactions
    [100, { bitmask: 0 }], // statement timeout: handles never time out (they are stateless)
    [101, { bitmask: 0 }],
    [500, { bool: false }], // SQL_DDL_CATALOG
    [501, { bool: false }], // SQL_DDL_SCHEMA
    [502, { bool: true }], // SQL_DDL_TABLE: CREATE TABLE AS, DROP TABLE
    // The int32 ordinals (503, 505, 507, 528) ride in the int32 slot, as the spec says and as Arrow
    // Java's JDBC driver casts them (Integer): an int64 there fails getMetaData() with ClassCastException.
    [503, { bitmask: 3 }], // SQL_IDENTIFIER_CASE: CASE_INSENSITIVE (DuckDB folds nothing, matches case-insensitively)
    [504, { string: '"' }],
    [505, { bitmask: 1 }], // SQL_QUOTED_IDENTIFIER_CASE: CASE_SENSITIVE
    [506, { bool: true }],
    [507, { bitmask: 2 }], // SQL_NULL_ORDERING: NULLS_SORTED_AT_END (DuckDB's default NULLS LAST)
    [508, { list: KEYWORDS }],
    [509, { list: NUMERIC_FUNCTIONS }],
    [510, { list: STRING_FUNCTIONS }],
    [511, { list: SYSTEM_FUNCTIONS }],
    [512, { list: DATETIME_FUNCTIONS }],
    [513, { string: '\\' }],
    [514, { string: '' }],
    [515, { bool: true }],
    [516, { bool: true }],
    [517, { map: Object.fromEntries(CONVERTIBLE.map((c) => [c, CONVERTIBLE])) }],
    [518, { bool: true }],
    [519, { bool: false }],
    [520, { bool: true }],
    [521, { bool: true }],
    [522, { bitmask: bits(0, 1) }], // GROUP BY: unrelated, beyond select
    [523, { bool: true }],
    [524, { bool: true }],
    [525, { bitmask: bits(0, 1) }], // grammar: minimum, core
    [526, { bitmask: bits(0, 1) }], // ANSI92: entry, intermediate
    [527, { bool: false }],
    [528, { bitmask: 2 }], // SQL_OUTER_JOINS_SUPPORT_LEVEL: full outer joins
    [529, { string: 'schema' }],
    [530, { string: 'procedure' }],
    [531, { string: 'catalog' }],
    [532, { bool: true }],
    [533, { bitmask: bits(0) }], // schema names in DML
    [534, { bitmask: bits(0) }],
    [535, { bitmask: 0 }],
    [536, { bool: false }],
    [537, { bool: false }],
    [538, { bitmask: bits(0, 1, 2, 3) }], // subqueries: comparisons, EXISTS, IN, quantified
    [539, { bool: true }],
    [540, { bitmask: bits(0, 1) }], // UNION, UNION ALL
    [541, { bigint: 0 }], [542, { bigint: 0 }], [543, { bigint: 0 }], [544, { bigint: 0 }], [545, { bigint: 0 }], [546, { bigint: 0 }],
    [547, { bigint: 0 }], [548, { bigint: 0 }], [549, { bigint: 0 }], [550, { bigint: 0 }], [551, { bigint: 0 }], [552, { bigint: 0 }],
    [553, { bigint: 0 }], [554, { bigint: 0 }], [555, { bigint: 0 }], [556, { bool: true }], [557, { bigint: 0 }], [558, { bigint: 0 }],
    [559, { bigint: 4096 }], [560, { bigint: 0 }], [561, { bigint: 0 }],
    // Default isolation TRANSACTION_NONE. The spec calls it an int32 ordinal, but Arrow Java's JDBC
    // driver (18.x, 19.0) reads it as a Long: int64 is what the one client that reads it accepts.
    [562, { bigint: 0 }],
    [563, { bool: false }], // transactions
    [564, { bitmask: 0 }],
    [565, { bool: false }],
    [566, { bool: false }],
    [567, { bitmask: bits(1) }], // result sets: forward only
    [568, { bitmask: 0 }], [569, { bitmask: bits(1) }], [570, { bitmask: 0 }], [571, { bitmask: 0 }], // read-only concurrency
    [572, { bool: true }], // executemany binds many parameter rows
    [573, { bool: false }],
    [574, { bool: false }],
    [575, { bool: false }],
    [576, { bool: false }],
  ]);
  return v;
}

/** The result batch for `codes` (every code this server knows when empty); unknown codes are left out. */
export function sqlInfoBatch(codes: readonly number[], options: { readOnly: boolean }): RecordBatch {
  const values = sqlInfoValues(options);
  const wanted = codes.length === 0 ? [...values.keys()] : codes.filter((c) => values.has(c));
  const typeIds = new Int8Array(wanted.length);
  const offsets = new Int32Array(wanted.length);
  const members: unknown[][] = [[], [], [], [], [], []];
  wanted.forEach((code, row) => {
    const value = values.get(code)!;
    const [id, v] = 'string' in value ? [0, value.string] : 'bool' in value ? [1, value.bool] : 'bigint' in value ? [2, BigInt(value.bigint)]
      : 'bitmask' in value ? [3, value.bitmask] : 'list' in value ? [4, value.list] : [5, value.map];
    typeIds[row] = id;
    offsets[row] = members[id]!.length;
    members[id]!.push(v);
  });
  const children: Data[] = UNION_FIELDS.map((f, i) => (i === 5 ? mapData(members[5] as Record<number, number[]>[]) : column(f.type, members[i]!)));
  const union = makeData({ type: UNION_TYPE, length: wanted.length, nullCount: 0, typeIds, valueOffsets: offsets, children });
  return batchOf(SQL_INFO_SCHEMA, [column(new Uint32(), wanted), union]);
}

function mapData(maps: Record<number, number[]>[]): Data {
  const keys: number[] = [];
  const lists: number[][] = [];
  const offsets = new Int32Array(maps.length + 1);
  maps.forEach((m, i) => {
    for (const [k, list] of Object.entries(m)) {
      keys.push(Number(k));
      lists.push(list);
    }
    offsets[i + 1] = keys.length;
  });
  const entryType = ENTRY_TYPE;
  const entries = makeData({
    type: entryType,
    length: keys.length,
    nullCount: 0,
    children: [column(new Int32(), keys), column(entryType.children[1]!.type, lists)],
  });
  return makeData({ type: MAP_TYPE, length: maps.length, nullCount: 0, valueOffsets: offsets, child: entries });
}
