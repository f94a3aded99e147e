// flight_sql:extension: flight_sql plus what newer Flight SQL versions added: Substrait plans
// (queries, updates, prepared), CancelQuery, one transaction with savepoints, and the SqlInfo
// values that announce them, which the client reads back and checks one by one.
import { INFO, TRANSACTIONS_WITH_SAVEPOINTS } from './flight-sql-fixtures.ts';
import { flightSqlHandlers } from './flight-sql-handlers.ts';
import { BASE_SQL_INFO } from './flight-sql.ts';
import type { Scenario } from './scenario.ts';

export const flightSqlExtension: Scenario = {
  handlers: (kit) => flightSqlHandlers(kit, {
    sqlInfo: new Map([
      ...BASE_SQL_INFO,
      [INFO.sql, { bool: false }],
      [INFO.substrait, { bool: true }],
      [INFO.substraitMinVersion, { string: 'min_version' }],
      [INFO.substraitMaxVersion, { string: 'max_version' }],
      [INFO.transaction, { int32: TRANSACTIONS_WITH_SAVEPOINTS }],
      [INFO.cancel, { bool: true }],
      [INFO.statementTimeout, { int32: 42 }],
      [INFO.transactionTimeout, { int32: 7 }],
    ]),
    statements: { substrait: true, transactions: true },
    ingest: false,
  }),
};
