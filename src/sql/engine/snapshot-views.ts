// The relation a statement reads for one pinned table version: a temp view over exactly the
// version's files. Parquet files are scanned by DuckDB (projection and filter pushdown); Arrow
// IPC files are loaded into a temp table when the statement is planned (ipc-table-load.ts); a version with
// no files is an empty relation with the stored columns. Temp objects are per connection, and
// every statement has its own connection, so concurrent statements never see each other's pins.
import type { DuckDBConnection } from '@duckdb/node-api';
import { loadIpcFiles, ipcTableDdl } from './ipc-table-load.ts';
import { duckTypeSql } from './stored-types.ts';
import { quoteIdentifier, quoteLiteral } from './sql-tokens.ts';
import type { PinnedTable } from './sql-engine.ts';

export interface SnapshotRelation {
  /** Fills whatever must be copied before the statement runs; idempotent. */
  load(): Promise<void>;
}

export async function createSnapshotRelation(con: DuckDBConnection, name: string, pinned: PinnedTable): Promise<SnapshotRelation> {
  const parquet = pinned.files.filter((f) => f.format === 'parquet').map((f) => f.path);
  const ipc = pinned.files.filter((f) => f.format === 'arrow-stream').map((f) => f.path);
  const columns = pinned.schema.fields.map((f) => quoteIdentifier(f.name)).join(', ');
  const parts: string[] = [];
  if (parquet.length > 0) parts.push(`SELECT ${columns} FROM read_parquet([${parquet.map(quoteLiteral).join(', ')}])`);
  const ipcTable = `${name}_ipc`;
  if (ipc.length > 0) {
    await con.run(ipcTableDdl(ipcTable, pinned.schema));
    parts.push(`SELECT ${columns} FROM temp.main.${ipcTable}`);
  }
  if (parts.length === 0) {
    const typed = pinned.schema.fields.map((f) => `CAST(NULL AS ${duckTypeSql(f.type)}) AS ${quoteIdentifier(f.name)}`);
    parts.push(`SELECT ${typed.join(', ')} LIMIT 0`);
  }
  // IPC rows are copied now, before the statement is prepared: DuckDB plans with the table's
  // statistics, and a plan made over the still-empty table believes every column has no nulls
  // (count(col) would become count(*)).
  if (ipc.length > 0) await loadIpcFiles(con, ipcTable, ipc);
  await con.run(`CREATE TEMP VIEW ${name} AS ${parts.join(' UNION ALL ')}`);
  return {
    async load() {
      // Loaded when created (above): nothing is left to copy.
    },
  };
}
