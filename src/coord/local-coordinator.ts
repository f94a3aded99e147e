// The embedded coordinator: one process owns the data root. The version log is a directory of
// entry files per table, each created exclusively, so the log can only grow by one entry per
// successful compare-and-set, and the newest entry is the table's head. A table's catalog entry
// rides in the log entry file it was published with, so it is exactly as atomic as the commit.
// File formats in local/log-files.ts, commit locks in local/table-locks.ts.
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { tableDirName } from '../table-names.ts';
import { isAlreadyExists, isNotFound, syncPath, writeNewFile } from '../durable-files.ts';
import { QuiverError } from '../errors.ts';
import { CommitConflictError, type CommitLock, type Coordinator, type LogEntry, type TableCatalog, type TableHead } from './coordinator.ts';
import { TABLE_FILE, encodeLogEntry, encodeTableName, entryFileName, entryVersions, readEntryFile, readTableName } from './local/log-files.ts';
import { TableLocks } from './local/table-locks.ts';

export class LocalCoordinator implements Coordinator {
  readonly kind = 'local';
  /** One process alone: no leadership, no members, no config node. */
  readonly cluster = null;
  private readonly heads = new Map<string, LogEntry | null>();
  /** Entries never change once written (until a drop), so each is read from disk once. */
  private readonly known = new Map<string, Map<number, LogEntry>>();
  private readonly locks = new TableLocks();
  /** Who hears of each table's commits and drops: this process is the only writer, so no watch is needed. */
  private readonly watchers = new Map<string, Set<(head: LogEntry | null) => void>>();

  constructor(private readonly logRoot: string) {}

  private dir(table: string): string {
    return path.join(this.logRoot, tableDirName(table));
  }

  lockTable(table: string): Promise<CommitLock> {
    return this.locks.lock(table);
  }

  async head(table: string): Promise<LogEntry | null> {
    if (!this.heads.has(table)) {
      const all = await this.entries(table);
      this.heads.set(table, all.at(-1) ?? null);
    }
    return this.heads.get(table) ?? null;
  }

  async entry(table: string, version: number): Promise<LogEntry | null> {
    const cached = this.known.get(table)?.get(version);
    if (cached) return cached;
    const e = await readEntryFile(path.join(this.dir(table), entryFileName(version)), version);
    if (e) this.remember(table, e);
    return e;
  }

  private remember(table: string, e: LogEntry): void {
    let m = this.known.get(table);
    if (!m) this.known.set(table, (m = new Map()));
    m.set(e.version, e);
  }

  async entries(table: string): Promise<LogEntry[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir(table));
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
    const versions = entryVersions(names);
    const out: LogEntry[] = [];
    for (const v of versions) {
      const e = await this.entry(table, v);
      if (e) out.push(e);
    }
    return out;
  }

  async publish(table: string, expected: number, manifest: string, catalog?: TableCatalog): Promise<LogEntry> {
    const current = (await this.head(table))?.version ?? 0;
    if (current !== expected) throw new CommitConflictError(table, expected, current);
    const dir = this.dir(table);
    await fs.mkdir(dir, { recursive: true });
    if (expected === 0) {
      await writeNewFile(path.join(dir, TABLE_FILE), encodeTableName(table)).catch((e) => {
        if (!isAlreadyExists(e)) throw e;
      });
    }
    const entry: LogEntry = { version: expected + 1, manifest, ...(catalog ? { catalog } : {}) };
    try {
      await writeNewFile(path.join(dir, entryFileName(entry.version)), encodeLogEntry(entry));
    } catch (e) {
      if (isAlreadyExists(e)) {
        this.heads.delete(table);
        throw new CommitConflictError(table, expected, (await this.head(table))?.version ?? 0);
      }
      throw e;
    }
    await syncPath(dir);
    this.heads.set(table, entry);
    this.remember(table, entry);
    this.notify(table, entry);
    return entry;
  }

  async dropTable(table: string): Promise<void> {
    const dir = this.dir(table);
    const trash = path.join(this.logRoot, `.dropped-${randomUUID()}`);
    try {
      await fs.rename(dir, trash);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    this.heads.set(table, null);
    this.known.delete(table);
    await syncPath(this.logRoot);
    this.notify(table, null);
    await fs.rm(trash, { recursive: true, force: true });
  }

  watchHead(table: string, listener: (head: LogEntry | null) => void): () => void {
    let set = this.watchers.get(table);
    if (!set) this.watchers.set(table, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.watchers.get(table) === set) this.watchers.delete(table);
    };
  }

  /**
   * Tells the table's listeners on the next turn of the event loop, not inside publish: a
   * listener's work never delays the commit's acknowledgement, and one that throws cannot fail it.
   */
  private notify(table: string, head: LogEntry | null): void {
    const set = this.watchers.get(table);
    if (!set || set.size === 0) return;
    setImmediate(() => {
      for (const listener of [...set]) {
        try {
          listener(head);
        } catch {
          // A listener's failure is its own (see the interface): the others still hear.
        }
      }
    });
  }

  async tables(): Promise<string[]> {
    let dirs: string[];
    try {
      dirs = await fs.readdir(this.logRoot);
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
    const names: string[] = [];
    for (const d of dirs) {
      if (d.startsWith('.')) continue;
      try {
        const name = await readTableName(path.join(this.logRoot, d));
        if (name !== null && (await this.head(name)) !== null) names.push(name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return names.sort();
  }

  async listHeads(prefix = ''): Promise<TableHead[]> {
    const out: TableHead[] = [];
    for (const table of (await this.tables()).filter((n) => n.startsWith(prefix))) {
      const head = await this.head(table);
      if (head) out.push({ table, head });
    }
    return out;
  }

  async close(): Promise<void> {}

  // ---- maintenance ----

  async expire(table: string, versions: number[]): Promise<number[]> {
    const head = await this.head(table);
    if (!head) return [];
    const current = versions.find((v) => v >= head.version);
    if (current !== undefined) throw new QuiverError('FAILED_PRECONDITION', `version ${current} of table ${JSON.stringify(table)} is not superseded (the head is ${head.version}); only older versions can expire`);
    const dir = this.dir(table);
    const removed: number[] = [];
    for (const v of [...new Set(versions)].sort((a, b) => a - b)) {
      try {
        await fs.rm(path.join(dir, entryFileName(v)));
        removed.push(v);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      this.known.get(table)?.delete(v);
    }
    if (removed.length > 0) await syncPath(dir);
    return removed;
  }

  /** One process owns the data root (the LOCK file), so it is always the writer. */
  async confirmWriter(_what: string): Promise<void> {}
}
