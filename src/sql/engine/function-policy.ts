// Functions user SQL may not call. DuckDB's allowed_directories and enable_external_access are
// the outer wall (set at boot, locked); this is the inner one, checked on the parse tree at plan
// time so the refusal names the function instead of surfacing as a file-permission error.
// Snapshot views read their pinned files through read_parquet themselves; users never do.
import { invalidArgument } from '../../errors.ts';

const DENIED_PREFIXES = ['read_', 'parquet_', 'sniff_', 'iceberg_', 'delta_', 'sqlite_', 'postgres_', 'mysql_', 'arrow_scan', 'pandas_'];

const DENIED = new Set([
  // reading files, globbing or writing
  'glob', 'parquet_scan', 'json_execute_serialized_sql', 'copy_database', 'checkpoint', 'force_checkpoint',
  // running SQL text that this check never saw
  'query', 'query_table',
  // the environment and the server's configuration (which names the data root)
  'getenv', 'current_setting', 'duckdb_settings', 'duckdb_secrets', 'which_secret', 'duckdb_extensions',
  'duckdb_temporary_files', 'duckdb_databases', 'duckdb_log_contexts', 'duckdb_logs', 'enable_logging',
  'disable_logging', 'truncate_duckdb_logs', 'set_variable', 'setvariable',
]);

/** Refuses a function by name when user SQL may not call it. */
export function checkFunction(name: string): void {
  const n = name.toLowerCase();
  if (DENIED.has(n) || DENIED_PREFIXES.some((p) => n.startsWith(p))) {
    throw invalidArgument(
      `function ${name} is not allowed in quiver SQL: queries read quiver tables by name ` +
      `(SELECT ... FROM "table/name"), never files, the network or the server's environment`,
    );
  }
}
