// The fixed values of the flight_sql* integration scenarios: the literal statements, plans,
// handles and transaction ids the clients send or expect back, the schemas they compare with
// (column metadata included), and the row counts they assert. Every Arrow implementation's
// scenario server answers with these same values (read from arrow-go's
// arrow/internal/flight_integration/scenario.go and Arrow Java's FlightSqlScenario*.java; see
// ../SCENARIOS.md), so they are facts of the protocol test, not choices of ours.
import { Field, Int32, Int64, Schema } from 'apache-arrow';

export const SELECT_STATEMENT = 'SELECT STATEMENT';
export const UPDATE_STATEMENT = 'UPDATE STATEMENT';
export const SELECT_PREPARED = 'SELECT PREPARED STATEMENT';
export const UPDATE_PREPARED = 'UPDATE PREPARED STATEMENT';
export const SUBSTRAIT_PLAN = { plan: Buffer.from('plan'), version: 'version' };
export const TRANSACTION_ID = Buffer.from('transaction_id');
export const SAVEPOINT_NAME = 'savepoint_name';
export const SAVEPOINT_ID = Buffer.from('savepoint_id');

/** What a statement reports as its record_count (DoPutUpdateResult). */
export const UPDATED_ROWS = {
  statement: 10_000,
  statementInTransaction: 15_000,
  prepared: 20_000,
  preparedInTransaction: 25_000,
} as const;

/** The handles the reference servers give statements: the clients only pass them back. */
export const HANDLES = {
  select: 'SELECT STATEMENT HANDLE',
  selectInTransaction: 'SELECT STATEMENT WITH TXN HANDLE',
  plan: 'PLAN HANDLE',
  planInTransaction: 'PLAN WITH TXN HANDLE',
} as const;

/** A prepared statement's handle: its query, " WITH TXN" inside a transaction, then " HANDLE". */
export const preparedHandle = (query: string, inTransaction: boolean) => `${query}${inTransaction ? ' WITH TXN' : ''} HANDLE`;

// Flight SQL column metadata exactly as the clients build it (arrow-go's ColumnMetadataBuilder,
// Arrow Java's FlightSqlColumnMetadata): note SCHEMA_NAME, the key both libraries write, where
// FlightSql.proto's comment says DB_SCHEMA_NAME.
const COLUMN_METADATA = new Map([
  ['ARROW:FLIGHT:SQL:TABLE_NAME', 'test'],
  ['ARROW:FLIGHT:SQL:IS_AUTO_INCREMENT', '1'],
  ['ARROW:FLIGHT:SQL:IS_CASE_SENSITIVE', '0'],
  ['ARROW:FLIGHT:SQL:TYPE_NAME', 'type_test'],
  ['ARROW:FLIGHT:SQL:SCHEMA_NAME', 'schema_test'],
  ['ARROW:FLIGHT:SQL:IS_SEARCHABLE', '1'],
  ['ARROW:FLIGHT:SQL:CATALOG_NAME', 'catalog_test'],
  ['ARROW:FLIGHT:SQL:PRECISION', '100'],
  ['ARROW:FLIGHT:SQL:REMARKS', 'test column'],
]);

/** The result (and parameter) schema of every statement outside a transaction. */
export const QUERY_SCHEMA = new Schema([new Field('id', new Int64(), true, new Map(COLUMN_METADATA))]);
/** The result schema of statements run inside the transaction. */
export const QUERY_IN_TRANSACTION_SCHEMA = new Schema([new Field('pkey', new Int32(), true, new Map(COLUMN_METADATA))]);

/** flight_sql:ingestion: what the client ingests, with which options, and how many rows. */
export const INGEST = {
  schema: new Schema([new Field('test_field', new Int64(), true)]),
  rows: 3,
  table: 'test_table',
  dbSchema: 'test_schema',
  catalog: 'test_catalog',
  temporary: true,
  transactionId: Buffer.from('123'),
  options: { key1: 'val1', key2: 'val2' } as Record<string, string>,
  ifNotExist: 'TABLE_NOT_EXIST_OPTION_CREATE',
  ifExists: 'TABLE_EXISTS_OPTION_REPLACE',
} as const;

/** The metadata requests' arguments (GetDbSchemas, GetTables, the key calls). */
export const METADATA_REQUEST = {
  catalog: 'catalog',
  dbSchemaFilterPattern: 'db_schema_filter_pattern',
  tableFilterPattern: 'table_filter_pattern',
  tableTypes: ['table', 'view'],
  table: { catalog: 'catalog', db_schema: 'db_schema', table: 'table' },
  pkTable: { catalog: 'pk_catalog', db_schema: 'pk_db_schema', table: 'pk_table' },
  fkTable: { catalog: 'fk_catalog', db_schema: 'fk_db_schema', table: 'fk_table' },
} as const;

/** SqlInfo codes (FlightSql.proto enum SqlInfo) the scenarios ask about. */
export const INFO = {
  name: 0,
  readOnly: 3,
  sql: 4,
  substrait: 5,
  substraitMinVersion: 6,
  substraitMaxVersion: 7,
  transaction: 8,
  cancel: 9,
  bulkIngestion: 10,
  ingestTransactionsSupported: 11,
  statementTimeout: 100,
  transactionTimeout: 101,
} as const;

/** SqlSupportedTransaction.SQL_SUPPORTED_TRANSACTION_SAVEPOINT. */
export const TRANSACTIONS_WITH_SAVEPOINTS = 2;
export const SERVER_NAME = 'Flight SQL Integration Test Server';
