// Arrow IPC data files loaded into DuckDB once and shared by every later query. DuckDB core
// cannot scan Arrow IPC (ipc-table-load.ts), so a query over a freshly put table used to copy the
// whole version into a per-connection temp table each time: 15-30x the cost of the same query
// over Parquet. Data files are immutable, so a file loaded once stays right for every query and
// every version that names it, until it is evicted.
//
// The loaded tables live in a catalog attached at boot (HIDDEN_CATALOG) that user SQL cannot
// name: every table a statement names resolves through quiver's catalog (sql-names.ts refuses
// other catalogs), and the functions that run SQL text or list databases are refused
// (function-policy.ts). Table names are also unguessable. A query reads only the tables of the
// files its pinned versions list, through its snapshot view.
//
// Memory: loaded tables are DuckDB memory (counted against its memory_limit, never spilled, as
// the instance has no temp directory), bounded by a byte budget; beyond it the least recently
// used files no plan holds are dropped. Files held by a plan (running or parked) are never
// dropped, so the budget can be exceeded while they are in use, up to the memory limit.
import crypto from 'node:crypto';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Schema } from 'apache-arrow';
import { ipcTableColumns, loadIpcFiles } from './ipc-table-load.ts';
import { quoteIdentifier } from './sql-tokens.ts';

/** The attached in-memory catalog that holds loaded IPC files; never reachable from user SQL. */
export const HIDDEN_CATALOG = '__quiver_ipc';

/** Attaches the hidden catalog; at boot, while attaching is still allowed. */
export async function attachIpcCatalog(boot: DuckDBConnection): Promise<void> {
  await boot.run(`ATTACH ':memory:' AS ${quoteIdentifier(HIDDEN_CATALOG)}`);
}

/** A plan's hold on one loaded file: its table, until released (exactly once). */
export interface IpcLease {
  /** The qualified table holding the file's rows, with the columns of the schema it was loaded with. */
  readonly table: string;
  release(): void;
}

interface Entry {
  key: string;
  table: string;
  loaded: Promise<void>;
  bytes: number;
  holders: number;
  /** Set once dropped (or being dropped): a later acquire of the same file loads it again. */
  gone: boolean;
}

export interface IpcStoreStats {
  files: number;
  bytes: number;
  loads: number;
  hits: number;
  evictions: number;
}

export class IpcFileStore {
  /** Insertion order is recency: a file is moved to the end whenever a plan takes it. */
  private readonly entries = new Map<string, Entry>();
  private total = 0;
  private readonly counts = { loads: 0, hits: 0, evictions: 0 };
  private dropping: Promise<void> = Promise.resolve();

  /** `budgetBytes` is read at every eviction, so a getter makes it a live setting. */
  constructor(private readonly instance: DuckDBInstance, private readonly budgetBytes: () => number) {}

  /**
   * The table holding `file`'s rows as columns of `schema` (loaded now unless a previous plan
   * loaded it), held until the lease is released. Concurrent plans of one file share one load.
   */
  async acquire(file: string, schema: Schema): Promise<IpcLease> {
    // The same file read with other columns (another version's schema) is another table.
    const key = `${file}\u0000${ipcTableColumns(schema)}`;
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      this.counts.hits++;
    } else {
      entry = this.load(key, file, schema);
      this.entries.set(key, entry);
    }
    entry.holders++;
    try {
      await entry.loaded;
    } catch (err) {
      this.release(entry);
      throw err;
    }
    let released = false;
    const held = entry;
    return {
      table: held.table,
      release: () => {
        if (released) return;
        released = true;
        this.release(held);
      },
    };
  }

  stats(): IpcStoreStats {
    return { files: this.entries.size, bytes: this.total, ...this.counts };
  }

  /** Drops every table no plan holds (at shutdown, or to free memory). */
  async clear(): Promise<void> {
    this.evict(0);
    await this.dropping;
  }

  private load(key: string, file: string, schema: Schema): Entry {
    const name = `f_${crypto.randomBytes(16).toString('hex')}`;
    const table = `${quoteIdentifier(HIDDEN_CATALOG)}.main.${name}`;
    const entry: Entry = { key, table, loaded: Promise.resolve(), bytes: 0, holders: 0, gone: false };
    this.counts.loads++;
    entry.loaded = (async () => {
      const con = await this.instance.connect();
      try {
        await con.run(`CREATE TABLE ${table} ${ipcTableColumns(schema)}`);
        // At least 1: 0 marks an entry still loading, which eviction skips.
        entry.bytes = Math.max(1, await loadIpcFiles(con, HIDDEN_CATALOG, name, [file]));
      } catch (err) {
        this.forget(entry);
        await con.run(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
        throw err;
      } finally {
        con.closeSync();
      }
      if (entry.gone) return;
      this.total += entry.bytes;
      this.evict(this.budgetBytes());
    })();
    return entry;
  }

  private release(entry: Entry): void {
    entry.holders--;
    if (entry.holders === 0) this.evict(this.budgetBytes());
  }

  private forget(entry: Entry): void {
    if (entry.gone) return;
    entry.gone = true;
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
  }

  /** Drops least recently used files no plan holds until the loaded bytes fit `budget`. */
  private evict(budget: number): void {
    for (const entry of [...this.entries.values()]) {
      if (this.total <= budget) break;
      if (entry.holders > 0 || entry.bytes === 0) continue;
      this.forget(entry);
      this.total -= entry.bytes;
      this.counts.evictions++;
      this.dropping = this.dropping.then(() => this.drop(entry.table));
    }
  }

  private async drop(table: string): Promise<void> {
    try {
      const con = await this.instance.connect();
      try {
        await con.run(`DROP TABLE IF EXISTS ${table}`);
      } finally {
        con.closeSync();
      }
    } catch {
      // The instance is closing; its memory goes with it.
    }
  }
}
