// One table's change feed in this process, shared by all of its followers: the coordinator's
// notification source (one watch per table in a cluster, in-process calls embedded), the newest
// head it told of, and the versions followers read lately, so that a hundred followers of one
// table cost one ZooKeeper read, one manifest read, one read of the new rows and one encoding of
// each message per commit, not a hundred: every follower sends the very same encoded messages
// (src/wire/flight-data.ts prebuiltFlightData), and what is left per follower is the write.
//
// Nothing here is a queue: a follower keeps only the number of the next version it will send
// and reads it when its stream has room, so a slow reader costs memory for nothing but that.
import type { Coordinator, LogEntry } from '../coord/coordinator.ts';
import { QuiverError } from '../errors.ts';
import type { DataFile, Manifest } from '../storage/manifest.ts';
import type { StoredFrame, TableReader } from '../storage/table-reader.ts';
import { prebuiltFlightData, type FlightDataMessage } from '../wire/flight-data.ts';

export interface FeedVersion {
  entry: LogEntry;
  manifest: Manifest;
  /** The version's marker message, encoded once for all followers (follow-stream.ts makes it). */
  marker?: FlightDataMessage;
}

/** Versions kept for followers that trail each other; older ones are read again when asked for. */
const RECENT_VERSIONS = 256;
/**
 * A version's change up to this many Arrow bytes is decoded once and its frames shared by every
 * follower (a hundred followers of a table of small commits would otherwise decode each commit's
 * Parquet a hundred times); larger ones are streamed to each follower from the files.
 */
const SHARED_CHANGE_BYTES = 2 * 1024 * 1024;
const SHARED_CHANGES = 8;

export class TableFeed {
  /** Moves on every notification; followers wait for it to pass the value they last saw. */
  generation = 0;
  /** The newest head the coordinator told of: undefined until it has, null when dropped. */
  head: LogEntry | null | undefined = undefined;
  /** Followers using this feed (the hub stops it when the last one goes). */
  users = 0;
  private readonly waiters = new Set<() => void>();
  private readonly recent = new Map<number, Promise<FeedVersion | null>>();
  private readonly changes = new Map<string, Promise<StoredFrame[]>>();
  private closedWith: QuiverError | null = null;
  private unwatch: (() => void) | null = null;

  constructor(
    readonly table: string,
    readonly coordinator: Coordinator,
    private readonly reader: TableReader,
  ) {}

  start(): void {
    this.unwatch = this.coordinator.watchHead(this.table, (head) => this.heard(head));
  }

  stop(): void {
    this.unwatch?.();
    this.unwatch = null;
  }

  /** Ends every wait with `error` (the server is shutting down). */
  close(error: QuiverError): void {
    this.closedWith = error;
    this.stop();
    this.wake();
  }

  /**
   * Resolves once a notification arrived after the one numbered `since`; rejects with the
   * close error, or with the abort reason when `signal` fires.
   */
  changedSince(since: number, signal: AbortSignal): Promise<void> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (this.generation > since) return Promise.resolve();
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const done = () => {
        if (this.generation <= since && !this.closedWith && !signal.aborted) return;
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        if (this.closedWith) reject(this.closedWith);
        else if (signal.aborted) reject(signal.reason);
        else resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done);
    });
  }

  /** Version `v`'s log entry and manifest, or null when the log has no such entry (expired, or not yet visible here). */
  version(v: number): Promise<FeedVersion | null> {
    let p = this.recent.get(v);
    if (!p) {
      p = this.load(v);
      this.recent.set(v, p);
      // Failures and absences are asked again next time: only what exists is remembered.
      p.then((found) => found || this.recent.delete(v), () => this.recent.delete(v));
      if (this.recent.size > RECENT_VERSIONS) this.recent.delete(this.recent.keys().next().value!);
    }
    return p;
  }

  /** The frames of `files` of version `m` (its change), shared between followers when small. */
  async *frames(m: Manifest, files: DataFile[], columns?: string[]): AsyncGenerator<StoredFrame> {
    const bytes = files.reduce((n, f) => n + f.arrowBytes, 0);
    if (bytes > SHARED_CHANGE_BYTES) {
      yield* this.reader.readFiles(m, files, columns);
      return;
    }
    const key = `${m.tableId}/${m.version}/${columns ? JSON.stringify(columns) : '*'}`;
    let p = this.changes.get(key);
    if (!p) {
      p = (async () => {
        const out: StoredFrame[] = [];
        // Encoded for the wire here, once: the followers then write the same bytes.
        for await (const f of this.reader.readFiles(m, files, columns)) out.push(prebuiltFlightData(f));
        return out;
      })();
      this.changes.set(key, p);
      p.catch(() => this.changes.delete(key));
      if (this.changes.size > SHARED_CHANGES) this.changes.delete(this.changes.keys().next().value!);
    }
    yield* await p;
  }

  private async load(v: number): Promise<FeedVersion | null> {
    const head = this.head;
    const entry = head && head.version === v ? head : await this.coordinator.entry(this.table, v);
    if (!entry) return null;
    return { entry, manifest: await this.reader.manifest(this.table, entry.manifest) };
  }

  private heard(head: LogEntry | null): void {
    const before = this.head;
    // A drop, or a table created again with its versions counted from 1: what was remembered
    // belongs to another incarnation.
    if (!head || (before && head.version < before.version) || (before?.catalog && head.catalog && before.catalog.tableId !== head.catalog.tableId)) this.recent.clear();
    this.head = head;
    this.generation += 1;
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
