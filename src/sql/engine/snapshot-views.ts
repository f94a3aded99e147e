// The relation a statement reads for one pinned table version: a temp view over exactly the
// version's files. Parquet files are scanned by DuckDB (projection and filter pushdown); Arrow
// IPC files are read from the tables the IPC store loaded them into (ipc-store.ts), held for
// as long as the statement lives; a version with no files is an empty relation with the stored
// columns. Temp views are per connection, and every statement has its own connection, so
// concurrent statements never see each other's pins.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { IpcFileStore, IpcLease } from './ipc-store.ts';
import { duckTypeSql } from './stored-types.ts';
import { quoteIdentifier, quoteLiteral } from './sql-tokens.ts';
import type { PinnedTable } from './sql-engine.ts';

export interface SnapshotRelation {
  /** Gives back what the relation holds (loaded IPC files); idempotent. */
  release(): void;
}

export async function createSnapshotRelation(con: DuckDBConnection, name: string, pinned: PinnedTable, ipcStore: IpcFileStore): Promise<SnapshotRelation> {
  const parquet = pinned.files.filter((f) => f.format === 'parquet').map((f) => f.path);
  const ipc = pinned.files.filter((f) => f.format === 'arrow-stream').map((f) => f.path);
  const columns = pinned.schema.fields.map((f) => quoteIdentifier(f.name)).join(', ');
  const parts: string[] = [];
  if (parquet.length > 0) parts.push(`SELECT ${columns} FROM read_parquet([${parquet.map(quoteLiteral).join(', ')}])`);
  const leases: IpcLease[] = [];
  const release = () => {
    for (const lease of leases.splice(0)) lease.release();
  };
  try {
    // Loaded before the statement is prepared: DuckDB plans with the tables' statistics, and a
    // plan made over a still-empty table believes every column has no nulls (count(col) would
    // become count(*)).
    for (const file of ipc) leases.push(await ipcStore.acquire(file, pinned.schema));
    for (const lease of leases) parts.push(`SELECT ${columns} FROM ${lease.table}`);
    if (parts.length === 0) {
      const typed = pinned.schema.fields.map((f) => `CAST(NULL AS ${duckTypeSql(f.type)}) AS ${quoteIdentifier(f.name)}`);
      parts.push(`SELECT ${typed.join(', ')} LIMIT 0`);
    }
    await con.run(`CREATE TEMP VIEW ${name} AS ${parts.join(' UNION ALL ')}`);
  } catch (err) {
    release();
    throw err;
  }
  return { release };
}
