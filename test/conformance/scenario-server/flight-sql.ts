// flight_sql: a Flight SQL server of fixed answers, as every Arrow implementation's scenario
// server is: the metadata commands (with quiver's result schemas and rows), a query and an update
// as SQL text, and a prepared query with one bound parameter row and a prepared update. The client
// (arrow-go's, Arrow Java's) compares every schema with its own library's and checks the counts.
import { INFO, SERVER_NAME } from './flight-sql-fixtures.ts';
import { flightSqlHandlers } from './flight-sql-handlers.ts';
import type { InfoValue } from './flight-sql-info.ts';
import type { Scenario } from './scenario.ts';

/** The SqlInfo every flight_sql* scenario answers (the base client asks for these two). */
export const BASE_SQL_INFO: [number, InfoValue][] = [
  [INFO.name, { string: SERVER_NAME }],
  [INFO.readOnly, { bool: false }],
];

export const flightSql: Scenario = {
  handlers: (kit) => flightSqlHandlers(kit, {
    sqlInfo: new Map(BASE_SQL_INFO),
    statements: { substrait: false, transactions: false },
    ingest: false,
  }),
};
