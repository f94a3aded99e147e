// The one commit path. DoPut, the import action and compaction all publish a version here, so
// the sequence exists once:
//   1. take the table's commit lock;
//   2. read the head and let the caller's plan build the next version against it (or refuse,
//      or give up: the plan is where "rebase onto appends" and "fail if overwritten" live);
//   3. publish the manifest under a fresh name (durable-files.ts: complete or not at all, never
//      replacing a file), after the data files it names; a table's first version also fsyncs
//      the directories above its own, up to the data root;
//   4. publish through the coordinator: a compare-and-set on the head (fenced in a cluster);
//   5. map a lost compare-and-set by the caller's policy, and on an unknown outcome keep every
//      file, since the log may hold the commit (orphan collection decides from the log later).
// Commits to one table that arrive while another is being published wait for it and are then
// published together (group commit): one lock, one head read, one coordinator publish (in a
// cluster one fenced multi) for the group, and still one version per commit, each planned
// against the version before it in the group; each writer hears only its own commit's outcome.
// A commit's files are registered as a write in flight from begin() to the end of commit() or
// abandon(), so orphan collection spares them however long the write takes; files the commit
// does not publish are removed.
import { randomUUID } from 'node:crypto';
import type { Schema } from 'apache-arrow';
import { decodeSchema } from '../arrow/ipc-message.ts';
import { dictionaryIdMapping, schemaMismatch } from '../arrow/schema-compat.ts';
import { CommitConflictError, CommitOutcomeUnknownError, type CommitLock, type Coordinator, type PublishedVersions, type TableCatalog } from '../coord/coordinator.ts';
import { SYSTEM_CALLS, ensureDirectory, ioFailure, publishFile, removeQuietly, syncDirectoriesUp, type PublishCalls } from '../durable-files.ts';
import { QuiverError } from '../errors.ts';
import { catalogOf } from './catalog.ts';
import { traceSpan, type TraceSpan } from './commit-trace.ts';
import { newManifestPath, type StorageLayout } from './layout.ts';
import { schemaBytes, type DataFile, type Manifest, type Operation } from './manifest.ts';
import type { StorageObservers } from './storage-observer.ts';
import type { TableReader } from './table-reader.ts';
import type { WritesInFlight } from './writes-in-flight.ts';

export type WriteMode = 'append' | 'overwrite' | 'create';

/** What the next version holds, as a plan builds it against the head. */
export interface NextVersion {
  operation: Operation;
  /** The Schema message of the new version. */
  schema: Uint8Array;
  /** Every file of the new version, kept ones included. */
  files: DataFile[];
  added: { files: number; rows: number };
}

/**
 * Builds the next version against `head` (null: the table does not exist) from the commit's own
 * files; throws to refuse the commit, or returns `giveUp` when the commit no longer makes sense
 * (its files are removed and nothing is published).
 */
export type CommitPlan = (head: Manifest | null, files: DataFile[]) => NextVersion | { giveUp: string };

/** What a lost compare-and-set means to the caller: a failure (the client sends again), or a round given up. */
export type ConflictPolicy = 'fail' | 'give-up';

export type CommitOutcome = { committed: true; manifest: Manifest } | { committed: false; reason: string };

/** How a write's schema relates to the table it writes: what its files start with. */
export interface WriteTarget {
  /** The table's Schema message (the stream's own when the write replaces or creates the table). */
  tableHeader: Uint8Array;
  /** The stream's dictionary ids -> the table's, where they differ. */
  dictionaryIds: Map<number, number>;
}

/** Commits published in one group at most: bounds a multi's size and a group's latency. */
const MAX_GROUP = 128;

/** How long the commit lock is held across consecutive groups before it is handed on. */
const LOCK_HOLD_MS = 1000;

/**
 * How long a held lock waits for the next commit once none is waiting: about one small DoPut's
 * staging on a loaded machine, so that writers who commit one stream after another find it held.
 */
const LOCK_LINGER_MS = 50;

/** A commit waiting for its table's next group. */
interface Waiting {
  files: DataFile[];
  plan: CommitPlan;
  onConflict: ConflictPolicy;
  began: number;
  resolve(outcome: CommitOutcome): void;
  reject(e: unknown): void;
}

/** A commit of a group, planned: its manifest and catalog entry as it will be published. */
interface Planned {
  waiting: Waiting;
  manifest: Manifest;
  path: string;
  catalog: TableCatalog;
  added: { files: number; rows: number };
}

export class Commits {
  /** Per table, the commits waiting for the group being published (present while one is). */
  private readonly waiting = new Map<string, Waiting[]>();
  /** Per table, wakes a drain that holds the lock with no commit waiting (see drain). */
  private readonly arrivals = new Map<string, () => void>();

  constructor(
    private readonly layout: StorageLayout,
    private readonly coordinator: Coordinator,
    private readonly reader: TableReader,
    private readonly writes: WritesInFlight,
    private readonly observers: StorageObservers,
    /** Publication's system calls (a test fails one); the real ones by default. */
    private readonly calls: PublishCalls = SYSTEM_CALLS,
  ) {}

  /**
   * Checks a write in `mode` of a stream with `schema` against the current version (`head`, when
   * the caller has read it already), before any file is written (commit() checks again against
   * the head it follows).
   */
  async target(name: string, mode: WriteMode, schemaHeader: Uint8Array, schema: Schema, head?: Promise<Manifest | null>): Promise<WriteTarget> {
    const current = await (head ?? this.current(name));
    if (!current || mode === 'overwrite') return { tableHeader: schemaHeader, dictionaryIds: new Map() };
    if (mode === 'create') throw new QuiverError('ALREADY_EXISTS', `table ${JSON.stringify(name)} already exists (version ${current.version})`, { fact: { kind: 'table-exists', table: name, version: current.version } });
    const table = decodeSchema(schemaBytes(current));
    const reason = schemaMismatch(table, schema);
    if (reason) throw new QuiverError('INVALID_ARGUMENT', `cannot append to table ${JSON.stringify(name)}: ${reason}`, { fact: { kind: 'schema-mismatch', table: name, reason } });
    return { tableHeader: schemaBytes(current), dictionaryIds: dictionaryIdMapping(table, schema) };
  }

  /** The table's current version (null: it does not exist), as target() reads it. */
  async current(name: string): Promise<Manifest | null> {
    const head = await this.coordinator.head(name, { forCommit: true });
    return head ? this.reader.manifest(name, head.manifest) : null;
  }

  /** Starts a commit of `table`: its directories exist and its files count as a write in flight. */
  async begin(table: string): Promise<PendingCommit> {
    await ensureDirectory(this.layout.subdir(table, 'data'), this.calls);
    await ensureDirectory(this.layout.subdir(table, 'manifests'), this.calls);
    return new PendingCommit(this, table, this.writes.begin(table));
  }

  /**
   * The sequence itself; see the top of this file. Called by PendingCommit. Commits to one table
   * that arrive while another is being published wait and then go together (group commit): one
   * lock, one head read and one coordinator publish for the group, one version per commit.
   */
  publish(table: string, files: DataFile[], plan: CommitPlan, onConflict: ConflictPolicy): Promise<CommitOutcome> {
    return new Promise((resolve, reject) => {
      let queue = this.waiting.get(table);
      const idle = !queue;
      if (!queue) this.waiting.set(table, (queue = []));
      queue.push({ files, plan, onConflict, began: performance.now(), resolve, reject });
      if (idle) void this.drain(table, queue);
      else this.arrivals.get(table)?.();
    });
  }

  /**
   * Publishes the table's waiting commits, group after group, until none waits. The lock is
   * held from one group to the next while commits are waiting (taking and releasing it are two
   * ZooKeeper writes, as many as the publish itself) and for LOCK_LINGER_MS after the queue
   * empties, but for LOCK_HOLD_MS at most, so that another taker (a drop, another replica)
   * waits no longer than that.
   */
  private async drain(table: string, queue: Waiting[]): Promise<void> {
    let lock: { held: CommitLock; since: number } | null = null;
    const release = async () => {
      const held = lock?.held;
      lock = null;
      // A release that fails leaves nothing to undo (a lost lock node goes with its session),
      // and must not stop the commits still waiting.
      await held?.release().catch(() => undefined);
    };
    try {
      while (queue.length > 0) {
        const trace = traceSpan('group');
        // A lock whose session ended went silently: it is taken again (the fence in the publish
        // is what refuses a deposed writer; the lock only keeps commits in turn).
        if (lock && lock.held.held?.() === false) await release();
        if (!lock) {
          try {
            lock = { held: await this.coordinator.lockTable(table), since: performance.now() };
          } catch (e) {
            // Nothing was written under the lock: every waiting commit fails as its own would have.
            this.settle(table, queue.splice(0), e);
            continue;
          }
        }
        trace.mark('lock');
        // Taken once the lock is held, so the group holds everything that came meanwhile.
        const group = queue.splice(0, MAX_GROUP);
        trace.set('size', group.length);
        try {
          await this.publishGroup(table, group, trace);
        } catch (e) {
          // publishGroup settles every commit itself; whatever escapes it must not leave a
          // writer waiting forever (settling twice is a no-op).
          for (const w of group) w.reject(e);
        }
        // Writers acknowledged by this group commonly send their next commits moments later:
        // the lock waits LOCK_LINGER_MS for them before it goes (nobody's answer waits on it).
        if (queue.length === 0 && performance.now() - lock.since < LOCK_HOLD_MS) await this.nextArrival(table, LOCK_LINGER_MS);
        trace.mark('lingered');
        if (queue.length === 0 || performance.now() - lock.since >= LOCK_HOLD_MS) await release();
        trace.mark('released');
        trace.end();
      }
    } finally {
      // Only an error escaping the loop leaves the lock held here. Commits that arrive while
      // it is released join this queue, so it is drained again rather than dropped.
      if (lock) await release();
      if (queue.length > 0) void this.drain(table, queue);
      else this.waiting.delete(table);
    }
  }

  /** Resolves once a commit to `table` arrives, or after `ms`. */
  private nextArrival(table: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.arrivals.get(table) === done) this.arrivals.delete(table);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.arrivals.set(table, done);
    });
  }

  /** Plans, writes and publishes one group under the table's lock, and settles each commit of it. */
  private async publishGroup(table: string, group: Waiting[], trace: TraceSpan): Promise<void> {
    let planned: Planned[] = [];
    try {
      const entry = await this.coordinator.head(table, { forCommit: true });
      trace.mark('headEntry');
      const head = entry ? await this.reader.manifest(table, entry.manifest) : null;
      trace.mark('head');
      const plans = this.plan(table, group, head, entry?.catalog);
      trace.mark('planned');
      planned = plans.planned;
      // A refused commit's files are gone before its writer hears of it.
      await Promise.all(plans.refused.map(({ waiting }) => this.remove(table, waiting.files)));
      for (const r of plans.refused) r.settle();
      if (planned.length === 0) return;
      // Data files come with durable names (adopt()): each was published with its directory's
      // fsync while its stream arrived, off this serialized path, where one more fsync took
      // 60-130 ms under load. The group's manifests are named by one fsync of their directory,
      // not one per manifest, before the version that names them is published.
      const written = await Promise.allSettled(planned.map((p) => publishFile(this.layout.file(table, p.path), JSON.stringify(p.manifest, null, 1), this.calls, { syncDirectory: false })));
      const failed = written.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      await this.calls.syncDirectory(this.layout.subdir(table, 'manifests'));
      // Whoever created the table's directories, they are durable before its first version is.
      if (!head) await syncDirectoriesUp(this.layout.tableDir(table), this.layout.root, this.calls);
      trace.mark('manifests');
    } catch (e) {
      // Nothing was published: every commit of the group fails, none is acknowledged.
      await this.forget(table, planned);
      this.settle(table, planned, e);
      return;
    }
    let result: PublishedVersions;
    try {
      result = await this.coordinator.publishVersions(table, planned[0]!.manifest.version - 1, planned.map((p) => ({ manifest: p.path, catalog: p.catalog })));
    } catch (e) {
      result = { entries: [], failure: e };
    }
    trace.mark('published');
    const committed = planned.slice(0, result.entries.length);
    for (const p of committed) {
      this.reader.remember(table, p.path, p.manifest);
      this.observers.committed({ table, version: p.manifest.version, operation: p.manifest.operation, rows: p.added.rows, bytes: p.waiting.files.reduce((n, f) => n + f.arrowBytes, 0), seconds: (performance.now() - p.waiting.began) / 1000, committedAt: p.manifest.committedAt });
      p.waiting.resolve({ committed: true, manifest: p.manifest });
    }
    const rest = planned.slice(committed.length);
    if (rest.length === 0) return;
    const e = result.failure;
    for (const _ of rest) this.observers.commitFailed(e instanceof CommitConflictError ? 'conflict' : e instanceof CommitOutcomeUnknownError ? 'unknown_outcome' : 'other');
    // An unknown outcome may be in the log already: its manifests and files must stay.
    if (!(e instanceof CommitOutcomeUnknownError)) await this.forget(table, rest);
    this.settle(table, rest, e);
  }

  /**
   * Runs each commit's plan against the head as the commits before it in the group leave it,
   * and names its manifest. A plan that refuses or gives up settles its commit at once (its
   * files are removed) and the group goes on without it.
   */
  private plan(table: string, group: Waiting[], head: Manifest | null, headCatalog: TableCatalog | undefined): { planned: Planned[]; refused: Array<{ waiting: Waiting; settle: () => void }> } {
    const planned: Planned[] = [];
    const refused: Array<{ waiting: Waiting; settle: () => void }> = [];
    let current = head;
    let catalog = headCatalog;
    for (const w of group) {
      let next: ReturnType<CommitPlan>;
      try {
        next = w.plan(current, w.files);
      } catch (e) {
        refused.push({ waiting: w, settle: () => w.reject(ioFailure(e, `the commit of table ${JSON.stringify(table)}`)) });
        continue;
      }
      if ('giveUp' in next) {
        const reason = next.giveUp;
        refused.push({ waiting: w, settle: () => w.resolve({ committed: false, reason }) });
        continue;
      }
      const manifest: Manifest = {
        formatVersion: 1,
        table,
        tableId: current?.tableId ?? randomUUID(),
        version: (current?.version ?? 0) + 1,
        parentVersion: current?.version ?? null,
        operation: next.operation,
        committedAt: new Date().toISOString(),
        schema: Buffer.from(next.schema).toString('base64'),
        files: next.files,
        rows: next.files.reduce((n, f) => n + f.rows, 0),
        arrowBytes: next.files.reduce((n, f) => n + f.arrowBytes, 0),
        added: next.added,
      };
      // The table's creation time rides in the catalog while the table keeps its identity.
      const createdAt = !current ? manifest.committedAt : catalog?.tableId === manifest.tableId ? catalog.createdAt : null;
      catalog = catalogOf(manifest, createdAt);
      planned.push({ waiting: w, manifest, path: newManifestPath(manifest.version), catalog, added: next.added });
      current = manifest;
    }
    return { planned, refused };
  }

  /** Fails commits that were not published, by their own conflict policy when `e` is a lost compare-and-set. */
  private settle(table: string, commits: Array<Planned | Waiting>, e: unknown): void {
    const first = commits[0] && 'waiting' in commits[0] ? commits[0].manifest.version : null;
    for (const c of commits) {
      const w = 'waiting' in c ? c.waiting : c;
      if (e instanceof CommitConflictError) {
        if (w.onConflict === 'give-up') w.resolve({ committed: false, reason: e.message });
        else w.reject(new QuiverError('ABORTED', `${e.message}; nothing was committed`, { cause: e, fact: { kind: 'not-committed', table } }));
      } else if (e instanceof CommitOutcomeUnknownError && 'waiting' in c && c.manifest.version !== e.version) {
        // One outcome for the whole group: each commit hears it for its own version and manifest.
        w.reject(new CommitOutcomeUnknownError(table, c.manifest.version, c.path, e, `it was published in one group from version ${first ?? e.version}, whose outcome is unknown at version ${e.version} (${e.message})`));
      } else {
        w.reject(ioFailure(e, `the commit of table ${JSON.stringify(table)}`));
      }
    }
  }

  /** Removes the manifests and files of commits that published nothing. */
  private async forget(table: string, planned: Planned[]): Promise<void> {
    await Promise.all(planned.map(async (p) => {
      await removeQuietly(this.layout.file(table, p.path));
      await this.remove(table, p.waiting.files);
    }));
  }

  /** Removes files that no version references (a commit given up or abandoned). */
  async remove(table: string, files: DataFile[]): Promise<void> {
    await Promise.all(files.map((f) => removeQuietly(this.layout.file(table, f.path))));
  }
}

/**
 * A commit under way: the files it will publish are adopted as they are written, and it ends
 * exactly once, by commit() or abandon().
 */
export class PendingCommit {
  private readonly files: DataFile[] = [];
  private ended = false;

  constructor(
    private readonly commits: Commits,
    readonly table: string,
    /** Ends this commit's entry in the writes in flight. */
    private readonly endWrite: () => void,
  ) {}

  /**
   * Files (written under the table directory) that this commit publishes, or removes if it does
   * not. Each must already be published with a durable name (durable-files.ts publish(), as the
   * stager, landing files and an import's copies do): the commit fsyncs only its manifests.
   */
  adopt(...files: DataFile[]): void {
    this.files.push(...files);
  }

  async commit(plan: CommitPlan, onConflict: ConflictPolicy): Promise<CommitOutcome> {
    this.end();
    try {
      return await this.commits.publish(this.table, this.files, plan, onConflict);
    } finally {
      this.endWrite();
    }
  }

  /** Gives the commit up before publishing: its adopted files are removed. */
  async abandon(): Promise<void> {
    if (this.ended) return;
    this.end();
    try {
      await this.commits.remove(this.table, this.files);
    } finally {
      this.endWrite();
    }
  }

  private end(): void {
    if (this.ended) throw new Error(`the commit of table ${JSON.stringify(this.table)} has already ended`);
    this.ended = true;
  }
}

/**
 * The plan of a write in `mode` whose files were staged against `schemaHeader`: it fails
 * rather than commit files of one schema into a table that another writer changed meanwhile,
 * and appends onto whatever appends came first.
 */
export function writePlan(mode: WriteMode, schemaHeader: Uint8Array): CommitPlan {
  return (current, files) => {
    const table = JSON.stringify(current?.table);
    if (current && mode === 'create') throw new QuiverError('ALREADY_EXISTS', `table ${table} was created by another writer while this stream was being written`);
    if (current && mode === 'append' && Buffer.compare(schemaBytes(current), schemaHeader) !== 0) {
      // Files were staged against another schema message (the table was overwritten meanwhile).
      throw new QuiverError('ABORTED', `table ${table} was overwritten while this stream was being written; nothing was committed`, { retriable: true, fact: { kind: 'not-committed', table: current.table } });
    }
    const keep = current && mode === 'append' ? current.files : [];
    return {
      operation: current ? (mode === 'overwrite' ? 'overwrite' : 'append') : 'create',
      schema: schemaHeader,
      files: [...keep, ...files],
      added: { files: files.length, rows: files.reduce((n, f) => n + f.rows, 0) },
    };
  };
}
