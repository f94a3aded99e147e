// The embedded coordinator of a server whose tables live in an object store (--data s3://…,
// no --zk): the version log lives in the bucket beside the tables, one object per entry,
//   log/<table dir name>/table.json                 {name}, created with the table's first entry
//   log/<table dir name>/<version, 20 digits>.json  {version, manifest, catalog?}
// and the entry of version N+1 is created with put-if-absent (If-None-Match: *), which is the
// compare-and-set: of two servers pointed at one bucket that both try to commit N+1, the store
// lets exactly one create the key, and the other's publish fails as a lost compare-and-set
// (CommitConflictError). The server checks at start that the store honours the condition
// (object-store/conditional-put-probe.ts).
//
// Another server may commit at any time, so the head this process remembers can be stale: it is
// re-checked (is there an entry after it?) when older than HEAD_TTL_MS, and always after a lost
// put. Commit locks are this process's only (local/table-locks.ts); across servers the
// conditional put alone orders commits. A drop deletes the log's objects oldest first, so that a
// drop cut short leaves the table at its newest version rather than bringing back an older one.
import { CommitConflictError, CommitOutcomeUnknownError, type CommitLock, type Coordinator, type LogEntry, type PublishedVersions, type TableCatalog, type TableHead, type VersionToPublish } from '../coordinator.ts';
import { QuiverError } from '../../errors.ts';
import { isObjectMissing, isOutcomeUnknown, listAll, type ObjectStore } from '../../object-store/object-store.ts';
import { tableDirName } from '../../table-names.ts';
import { decodeTableName, encodeLogEntry, encodeTableName, entryFileName, entryVersions, TABLE_FILE } from '../local/log-files.ts';
import { TableLocks } from '../local/table-locks.ts';
import { decodeLogEntry } from '../stored-records.ts';
import { HeadListeners } from '../head-listeners.ts';
import { publishInOrder } from '../publish-in-order.ts';

/** Where the log objects live, under the store's prefix. */
export const LOG_PREFIX = 'log/';

/** How long a remembered head is trusted before the bucket is asked whether another server moved it. */
export const HEAD_TTL_MS = 1_000;

export interface BucketCoordinatorOptions {
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Milliseconds a remembered head is trusted (tests set 0). */
  headTtlMs?: number;
}

const encoder = new TextEncoder();

export class BucketCoordinator implements Coordinator {
  readonly kind = 'bucket';
  readonly cluster = null;
  private readonly heads = new Map<string, { entry: LogEntry | null; at: number }>();
  /** Entries never change once created (until a drop or expiry): each is read once. */
  private readonly known = new Map<string, Map<number, LogEntry>>();
  private readonly locks = new TableLocks();
  private readonly named = new Set<string>();
  private readonly listeners = new HeadListeners();
  private readonly headTtlMs: number;

  constructor(private readonly store: ObjectStore, private readonly options: BucketCoordinatorOptions = {}) {
    this.headTtlMs = options.headTtlMs ?? HEAD_TTL_MS;
  }

  private dir(table: string): string {
    return `${LOG_PREFIX}${tableDirName(table)}/`;
  }

  private entryKey(table: string, version: number): string {
    return `${this.dir(table)}${entryFileName(version)}`;
  }

  lockTable(table: string): Promise<CommitLock> {
    return this.locks.lock(table);
  }

  async head(table: string): Promise<LogEntry | null> {
    const cached = this.heads.get(table);
    if (cached && performance.now() - cached.at < this.headTtlMs) return cached.entry;
    let head = cached ? cached.entry : ((await this.entries(table)).at(-1) ?? null);
    // Entries are contiguous: whatever another server committed since follows the one known.
    if (cached) {
      for (;;) {
        const next = await this.entry(table, (head?.version ?? 0) + 1);
        if (!next) break;
        head = next;
      }
    }
    this.heads.set(table, { entry: head, at: performance.now() });
    return head;
  }

  async entry(table: string, version: number): Promise<LogEntry | null> {
    const cached = this.known.get(table)?.get(version);
    if (cached) return cached;
    const key = this.entryKey(table, version);
    let bytes: Uint8Array;
    try {
      bytes = (await this.store.get(key)).bytes;
    } catch (e) {
      if (isObjectMissing(e)) return null;
      throw e;
    }
    const entry = decodeLogEntry(bytes, `${this.store.location}/${key}`, version);
    this.remember(table, entry);
    return entry;
  }

  private remember(table: string, e: LogEntry): void {
    let m = this.known.get(table);
    if (!m) this.known.set(table, (m = new Map()));
    m.set(e.version, e);
  }

  async entries(table: string): Promise<LogEntry[]> {
    const versions = await this.versions(table);
    const out: LogEntry[] = [];
    for (const v of versions) {
      const e = await this.entry(table, v);
      if (e) out.push(e);
    }
    return out;
  }

  private async versions(table: string): Promise<number[]> {
    const dir = this.dir(table);
    const names: string[] = [];
    for await (const o of listAll(this.store, dir)) names.push(o.key.slice(dir.length));
    return entryVersions(names);
  }

  async publish(table: string, expected: number, manifest: string, catalog?: TableCatalog): Promise<LogEntry> {
    const current = (await this.head(table))?.version ?? 0;
    if (current !== expected) throw new CommitConflictError(table, expected, current);
    await this.ensureName(table);
    const entry: LogEntry = { version: expected + 1, manifest, ...(catalog ? { catalog } : {}) };
    let outcome;
    try {
      outcome = await this.store.putIfAbsent(this.entryKey(table, entry.version), encoder.encode(encodeLogEntry(entry)));
    } catch (e) {
      this.heads.delete(table);
      if (isOutcomeUnknown(e)) throw new CommitOutcomeUnknownError(table, entry.version, manifest, e, `the reply to the creation of its log entry in ${this.store.location} was lost`);
      throw e;
    }
    if (outcome === 'exists') {
      // Another server committed this version first: learn the head it left.
      this.heads.delete(table);
      throw new CommitConflictError(table, expected, (await this.head(table))?.version ?? expected + 1);
    }
    this.heads.set(table, { entry, at: performance.now() });
    this.remember(table, entry);
    this.listeners.notify(table, entry);
    return entry;
  }

  /** One conditional put per version, in order: a failure part way leaves the ones before it committed. */
  async publishVersions(table: string, expected: number, versions: VersionToPublish[]): Promise<PublishedVersions> {
    return publishInOrder(expected, versions, (at, v) => this.publish(table, at, v.manifest, v.catalog));
  }

  /** The table's name record: created once (whoever creates it first, the name is the same). */
  private async ensureName(table: string): Promise<void> {
    if (this.named.has(table)) return;
    await this.store.putIfAbsent(`${this.dir(table)}${TABLE_FILE}`, encoder.encode(encodeTableName(table)));
    this.named.add(table);
  }

  async dropTable(table: string): Promise<void> {
    const versions = await this.versions(table);
    // Oldest first: a drop cut short leaves the newest versions, never an older head.
    for (const v of versions) await this.store.delete(this.entryKey(table, v));
    await this.store.delete(`${this.dir(table)}${TABLE_FILE}`);
    this.heads.set(table, { entry: null, at: performance.now() });
    this.known.delete(table);
    this.named.delete(table);
    this.listeners.notify(table, null);
  }

  /** Hears this process's own commits and drops (another server's are seen by polling head()). */
  watchHead(table: string, listener: (head: LogEntry | null) => void): () => void {
    return this.listeners.add(table, listener);
  }

  async tables(): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.store.list(LOG_PREFIX, { delimiter: '/', token });
      for (const dir of page.prefixes) {
        let name: string;
        try {
          const key = `${dir}${TABLE_FILE}`;
          name = decodeTableName((await this.store.get(key)).bytes, `${this.store.location}/${key}`);
        } catch (e) {
          if (isObjectMissing(e)) continue;
          if (e instanceof QuiverError && e.code === 'DATA_LOSS') {
            this.options.log?.(`left ${dir} out of the listing: ${e.message}`);
            continue;
          }
          throw e;
        }
        if ((await this.head(name)) !== null) names.push(name);
      }
      token = page.next;
    } while (token !== undefined);
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

  async expire(table: string, versions: number[]): Promise<number[]> {
    const head = await this.head(table);
    if (!head) return [];
    const current = versions.find((v) => v >= head.version);
    if (current !== undefined) throw new QuiverError('FAILED_PRECONDITION', `version ${current} of table ${JSON.stringify(table)} is not superseded (the head is ${head.version}); only older versions can expire`);
    const removed: number[] = [];
    for (const v of [...new Set(versions)].sort((a, b) => a - b)) {
      if (!(await this.store.head(this.entryKey(table, v)))) continue;
      await this.store.delete(this.entryKey(table, v));
      this.known.get(table)?.delete(v);
      removed.push(v);
    }
    return removed;
  }

  /** Commits are ordered by the conditional put, not by who writes: every server may. */
  async confirmWriter(_what: string): Promise<void> {}
}
