// The SqlEngine backed by one embedded DuckDB instance per server. DuckDB runs in-process (no
// extra service to start); this file owns its boot-time sandbox and hands each statement its own
// connection, because temp views (our snapshot pins) are per connection.
import { DuckDBInstance } from '@duckdb/node-api';
import { QuiverError } from '../../errors.ts';
import type { PlannedStatement, SqlEngine, SqlEngineOptions, TableResolver } from './sql-engine.ts';

export async function openDuckDbEngine(options: SqlEngineOptions): Promise<SqlEngine> {
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  return {
    async plan(_sql: string, _resolver: TableResolver): Promise<PlannedStatement> {
      throw new QuiverError('UNIMPLEMENTED', `SQL planning over ${options.dataRoot} is not implemented yet`);
    },
    async close() {
      instance.closeSync();
    },
  };
}
