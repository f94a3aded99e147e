import type { RecordBatch, Schema } from 'apache-arrow';

/** One quiver table a statement reads, pinned at one committed version. */
export interface PinnedTable {
  /** The quiver table name (any non-empty UTF-8, may contain '/'). */
  name: string;
  version: number;
  /** Absolute paths of the version's data files, with the format the manifest records. */
  files: { path: string; format: 'parquet' | 'arrow-stream'; rows: number }[];
  /** The stored Arrow schema of the table at that version. */
  schema: Schema;
}

/**
 * Resolves the table names a statement mentions to pinned versions. The caller (protocol layer)
 * decides which version "current" means (the head, the session's quiver.as_of, or the versions
 * a ticket pinned); `version` is given when the SQL names one explicitly (time travel).
 * Throws QuiverError NOT_FOUND for an unknown table or an expired/unknown version.
 */
export interface TableResolver {
  resolve(name: string, version?: number): Promise<PinnedTable>;
}

/** What a statement is; anything else is refused at plan time with INVALID_ARGUMENT. */
export type StatementKind =
  | { kind: 'query' }
  | { kind: 'create-table-as'; table: string; ifNotExists: boolean }
  | { kind: 'insert'; table: string; columns: string[] | null }
  | { kind: 'drop-table'; table: string; ifExists: boolean };

export interface PlannedStatement {
  readonly statement: StatementKind;
  /** Result schema (for CTAS/INSERT: the rows the SELECT/VALUES part yields; for DROP: empty). */
  readonly schema: Schema;
  /** One field per parameter ($1.. / ?), types as DuckDB infers them; empty when none. */
  readonly parameterSchema: Schema;
  /** The tables it reads and the versions pinned, in first-mention order. */
  readonly tables: PinnedTable[];
  /**
   * Runs it once per parameter row (`parameters` null when it has none), streaming record batches
   * of bounded bytes (about 4 MiB at most) with `schema`. Aborting `signal` interrupts the engine.
   * Errors are QuiverErrors: INVALID_ARGUMENT (bad SQL or parameters), RESOURCE_EXHAUSTED (memory
   * limit), DEADLINE_EXCEEDED (time limit), CANCELLED (aborted), UNAVAILABLE (too many queries).
   */
  execute(parameters: RecordBatch | null, options?: { signal?: AbortSignal }): AsyncIterable<RecordBatch>;
  /**
   * The schema `execute` yields for parameter batches with this Arrow schema: `schema`, except
   * that columns the plan could not type (UNKNOWN, e.g. `SELECT ? + 1`) take the types the
   * parameters' Arrow types give them. Optional: an engine without it yields `schema`.
   */
  schemaWith?(parameters: Schema): Promise<Schema>;
  /**
   * What `execute` yields, already encoded: the IPC messages (dictionary and record batches,
   * no schema message) of the same batches. Optional: a server sending the result as it comes
   * uses it to skip assembling record batches and encoding them again.
   */
  executeIpc?(parameters: RecordBatch | null, options?: { signal?: AbortSignal }): AsyncIterable<{ header: Uint8Array; body: Uint8Array }>;
  close(): Promise<void>;
}

export interface SqlEngineOptions {
  /** The data root: the engine may read files under it and nothing else. */
  dataRoot: string;
  /**
   * Per-query memory limit in bytes (read once, at open) and time limit in ms (0 or absent: none);
   * max queries running at once. The time limit and max queries are read for every query, so
   * getters here make them live settings.
   */
  memoryLimitBytes?: number;
  timeLimitMs?: number;
  maxConcurrentQueries?: number;
  /**
   * Results of queries whose tables together hold at most this many cells (rows x columns) are
   * materialized by DuckDB before they are sent, larger ones are streamed (result-mode.ts says
   * why); 0 streams every result. Default MATERIALIZE_MAX_CELLS (64Mi). Read for every query.
   */
  materializeMaxCells?: number;
  /**
   * Bytes of Arrow IPC data files kept loaded in DuckDB for later queries (ipc-store.ts); beyond
   * it the least recently used files no plan holds are dropped. Default: a quarter of the memory
   * limit. Read whenever a file is loaded or let go.
   */
  ipcCacheBytes?: number;
}

export interface SqlEngine {
  /** Plans `sql` (nothing runs, nothing is written); resolves every table it names through `resolver`. */
  plan(sql: string, resolver: TableResolver): Promise<PlannedStatement>;
  close(): Promise<void>;
}
// plus: export async function openDuckDbEngine(options: SqlEngineOptions): Promise<SqlEngine>
// in src/sql/engine/duckdb-engine.ts
