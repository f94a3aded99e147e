// The embedded coordinator: one process owns the data root. The version log is a directory of
// entry files per table, each published once (complete or not at all: durable-files.ts), so the
// log can only grow by one entry per successful compare-and-set, and the newest entry is the
// table's head. A table's catalog entry rides in the log entry file it was published with, so it
// is exactly as atomic as the commit. File formats in local/log-files.ts, commit locks in
// local/table-locks.ts; the in-memory index of table names that listings read in
// local/table-name-index.ts.
//
// Torn files from older data roots (see log-files.ts) are never fatal: a torn newest entry was
// never acknowledged, so the table's head is the entry before it (and the next commit sets the
// torn file aside and takes its version); a torn or damaged table.json hides only that table
// from listings (the next commit to it writes the name again). Each is logged once.
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { tableDirName } from '../table-names.ts';
import { PublishOutcomeUnknownError, SYSTEM_CALLS, UnpublishedError, ensureDirectory, isAlreadyExists, isNotFound, publishFile, syncDirectoriesUp, type PublishCalls } from '../durable-files.ts';
import { QuiverError } from '../errors.ts';
import { CommitConflictError, CommitOutcomeUnknownError, type CommitLock, type Coordinator, type LogEntry, type PublishedVersions, type TableCatalog, type TableHead, type VersionToPublish } from './coordinator.ts';
import { TABLE_FILE, encodeLogEntry, encodeTableName, entryFileName, entryVersions, isTorn, readEntryFile, readIfExists, readTableName, setAside } from './local/log-files.ts';
import { TableLocks } from './local/table-locks.ts';
import { TableNameIndex } from './local/table-name-index.ts';
import { HeadListeners } from './head-listeners.ts';
import { publishInOrder } from './publish-in-order.ts';

/** Name files read at once by a scan of the log directory (each read holds a file descriptor). */
const SCAN_CONCURRENCY = 16;

export interface LocalCoordinatorOptions {
  /** Where what was skipped or set aside is reported (the server's warn log). */
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** The system calls of publication (a test fails one of them); the real ones by default. */
  calls?: PublishCalls;
}

export class LocalCoordinator implements Coordinator {
  readonly kind = 'local';
  /** One process alone: no leadership, no members, no config node. */
  readonly cluster = null;
  private readonly heads = new Map<string, LogEntry | null>();
  /** Entries never change once written (until a drop), so each is read from disk once. */
  private readonly known = new Map<string, Map<number, LogEntry>>();
  private readonly locks = new TableLocks();
  /** Tables whose table.json this process has checked (or written) since it started. */
  private readonly named = new Set<string>();
  /** Damaged files already reported, so each is logged once. */
  private readonly reported = new Set<string>();
  private readonly calls: PublishCalls;
  /** Who hears of each table's commits and drops: this process is the only writer, so no watch is needed. */
  private readonly listeners = new HeadListeners();
  /**
   * Every table's name, so that a listing (ListFlights) reads no file: filled by the first scan
   * of the log directory, then kept by this process's own creates and drops (it is the only
   * writer). tables() scans the disk again, and refreshes it.
   */
  private readonly index = new TableNameIndex();
  private indexed: Promise<void> | null = null;

  constructor(private readonly logRoot: string, private readonly options: LocalCoordinatorOptions = {}) {
    this.calls = options.calls ?? SYSTEM_CALLS;
  }

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
    const file = path.join(this.dir(table), entryFileName(version));
    const read = await readEntryFile(file, version);
    if (!read) return null;
    if ('torn' in read) {
      // Only the newest entry can be an unfinished write: no commit follows one that failed.
      if (!(await this.isNewest(table, version))) throw read.torn;
      this.report(file, `skipped a torn log entry of table ${JSON.stringify(table)}: version ${version - 1} is its head`, read.torn);
      return null;
    }
    this.remember(table, read.entry);
    return read.entry;
  }

  private async isNewest(table: string, version: number): Promise<boolean> {
    const versions = entryVersions(await fs.readdir(this.dir(table)).catch((e) => (isNotFound(e) ? [] : Promise.reject(e))));
    return versions.at(-1) === version;
  }

  private report(file: string, message: string, error: unknown): void {
    if (this.reported.has(file)) return;
    this.reported.add(file);
    this.options.log?.(message, { file, error: (error as Error)?.message ?? String(error) });
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
    await ensureDirectory(dir, this.calls);
    // Whoever created the log directory, it is durable before the table's first entry is.
    if (expected === 0) await syncDirectoriesUp(dir, path.dirname(this.logRoot), this.calls);
    await this.ensureName(table, dir, expected === 0);
    const entry: LogEntry = { version: expected + 1, manifest, ...(catalog ? { catalog } : {}) };
    const file = path.join(dir, entryFileName(entry.version));
    try {
      await this.publishEntry(table, file, entry);
    } catch (e) {
      if (isAlreadyExists(e)) {
        this.heads.delete(table);
        throw new CommitConflictError(table, expected, (await this.head(table))?.version ?? 0);
      }
      // The entry may have been seen in the moment it existed: nothing cached may keep it.
      this.heads.delete(table);
      this.known.get(table)?.delete(entry.version);
      if (e instanceof UnpublishedError) {
        throw new QuiverError('UNAVAILABLE', `version ${entry.version} of table ${JSON.stringify(table)} was not committed: its log entry could not be made durable (${(e.cause as Error)?.message ?? e.message}), and was withdrawn`, { retriable: true, cause: e });
      }
      if (e instanceof PublishOutcomeUnknownError) {
        throw new CommitOutcomeUnknownError(table, entry.version, manifest, e, `its log entry ${file} could not be made durable, nor withdrawn (${(e.cause as Error)?.message ?? e.message})`);
      }
      throw e;
    }
    this.heads.set(table, entry);
    this.remember(table, entry);
    this.index.add(table);
    this.listeners.notify(table, entry);
    return entry;
  }

  /**
   * Entry files are published one after the other, each durable before the next is written, so
   * the log never has a gap (a torn newest entry is the only unfinished state it knows): a
   * failure part way leaves the entries before it committed, and says so.
   */
  async publishVersions(table: string, expected: number, versions: VersionToPublish[]): Promise<PublishedVersions> {
    return publishInOrder(expected, versions, (at, v) => this.publish(table, at, v.manifest, v.catalog));
  }

  /** Publishes a log entry; a torn file under its name (an older crash) is set aside first. */
  private async publishEntry(table: string, file: string, entry: LogEntry): Promise<void> {
    try {
      await publishFile(file, encodeLogEntry(entry), this.calls);
      return;
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      const bytes = await readIfExists(file);
      if (bytes === null || !isTorn(bytes)) throw e;
      const aside = await setAside(file);
      await this.calls.syncDirectory(path.dirname(file));
      this.reported.delete(file);
      this.options.log?.(`set aside a torn log entry of table ${JSON.stringify(table)} to commit version ${entry.version}`, { file, aside });
    }
    await publishFile(file, encodeLogEntry(entry), this.calls);
  }

  /**
   * Makes sure the table's directory records its name: written with the first entry, and
   * written again (the damaged one set aside) when an older crash left it torn or missing.
   */
  private async ensureName(table: string, dir: string, creating: boolean): Promise<void> {
    if (this.named.has(table)) return;
    const file = path.join(dir, TABLE_FILE);
    const bytes = creating ? null : await readIfExists(file);
    const recorded = bytes === null ? null : await nameOrDamaged(dir);
    if (recorded !== table) {
      try {
        await publishFile(file, encodeTableName(table), this.calls);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
        const name = await nameOrDamaged(dir);
        if (name !== table) {
          // Damaged (the name cannot be another table's: the directory is named after this one).
          const aside = await setAside(file);
          await this.calls.syncDirectory(dir);
          this.options.log?.(`set aside a damaged table.json of table ${JSON.stringify(table)} and wrote it again`, { file, aside });
          await publishFile(file, encodeTableName(table), this.calls);
        }
      }
    }
    this.named.add(table);
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
    this.named.delete(table);
    this.index.delete(table);
    await this.calls.syncDirectory(this.logRoot);
    this.listeners.notify(table, null);
    await fs.rm(trash, { recursive: true, force: true });
  }

  watchHead(table: string, listener: (head: LogEntry | null) => void): () => void {
    return this.listeners.add(table, listener);
  }


  /** Scans the log directory (every table's name file): the disk's answer, which maintenance wants. */
  async tables(): Promise<string[]> {
    const scan = this.index.beginScan();
    try {
      const { found, listed } = await this.scanNames();
      scan.finish(found);
      return listed;
    } catch (e) {
      scan.abandon();
      throw e;
    }
  }

  /** Every name file's table (found), and those of them with a head (listed, sorted). */
  private async scanNames(): Promise<{ found: string[]; listed: string[] }> {
    let dirs: string[];
    try {
      dirs = await fs.readdir(this.logRoot);
    } catch (e) {
      if (isNotFound(e)) return { found: [], listed: [] };
      throw e;
    }
    const found: string[] = [];
    const listed: string[] = [];
    const readOne = async (d: string): Promise<void> => {
      try {
        const name = await readTableName(path.join(this.logRoot, d));
        if (name === null) return;
        found.push(name);
        if ((await this.head(name)) !== null) listed.push(name);
      } catch (e) {
        if (isNotFound(e)) return;
        // One table's damage leaves the listing of every other table working.
        if (!(e instanceof QuiverError && e.code === 'DATA_LOSS')) throw e;
        this.report(path.join(this.logRoot, d), `left table directory ${d} out of the listing: ${e.message}`, e);
      }
    };
    // Name files are read SCAN_CONCURRENCY at a time: one after the other, each read waits its
    // turn in libuv's thread pool, and 100,000 of them took minutes on a loaded machine.
    const queue = dirs.filter((d) => !d.startsWith('.'));
    let next = 0;
    const worker = async () => {
      while (next < queue.length) await readOne(queue[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(SCAN_CONCURRENCY, queue.length) }, worker));
    return { found, listed: listed.sort() };
  }

  /** From the in-memory index of names and the cached heads: after the first, a listing reads no file. */
  async listHeads(prefix = ''): Promise<TableHead[]> {
    if (!this.indexed) {
      this.indexed = this.tables().then(() => undefined);
      this.indexed.catch(() => (this.indexed = null));
    }
    await this.indexed;
    const out: TableHead[] = [];
    for (const table of this.index.withPrefix(prefix)) {
      const head = this.heads.has(table) ? this.heads.get(table) : await this.head(table);
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
    if (removed.length > 0) await this.calls.syncDirectory(dir);
    return removed;
  }

  /** One process owns the data root (the LOCK file), so it is always the writer. */
  async confirmWriter(_what: string): Promise<void> {}
}

/** The name table.json records, or null when it is damaged; trouble reading it throws. */
async function nameOrDamaged(dir: string): Promise<string | null> {
  try {
    return await readTableName(dir);
  } catch (e) {
    if (e instanceof QuiverError && e.code === 'DATA_LOSS') return null;
    throw e;
  }
}
