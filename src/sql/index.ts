// What the server assembly needs of Flight SQL: the service the Flight handlers delegate to,
// the session-option rules it adds, and the engine it runs on.
export { FlightSqlService, type SqlCommand } from './flight-sql-service.ts';
export { withSqlSessionOptions } from './sql-session-options.ts';
export { openDuckDbEngine } from './engine/duckdb-engine.ts';
export type { SqlEngine, SqlEngineOptions } from './engine/sql-engine.ts';
