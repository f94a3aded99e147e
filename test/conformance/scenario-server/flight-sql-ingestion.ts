// flight_sql:ingestion: CommandStatementIngest with every option set (table, schema, catalog,
// temporary, a transaction id, free-form options, create-or-replace) and three rows of
// `test_field: int64`; the answer's record_count is the number of rows the server received.
// SqlInfo announces bulk ingestion and ingest transactions (Arrow Java's client checks both).
import { INFO } from './flight-sql-fixtures.ts';
import { flightSqlHandlers } from './flight-sql-handlers.ts';
import { BASE_SQL_INFO } from './flight-sql.ts';
import type { Scenario } from './scenario.ts';

export const flightSqlIngestion: Scenario = {
  handlers: (kit) => flightSqlHandlers(kit, {
    sqlInfo: new Map([...BASE_SQL_INFO, [INFO.bulkIngestion, { bool: true }], [INFO.ingestTransactionsSupported, { bool: true }]]),
    statements: null,
    ingest: true,
  }),
};
