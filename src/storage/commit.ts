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
// A commit's files are registered as a write in flight from begin() to the end of commit() or
// abandon(), so orphan collection spares them however long the write takes; files the commit
// does not publish are removed.
import { randomUUID } from 'node:crypto';
import type { Schema } from 'apache-arrow';
import { decodeSchema } from '../arrow/ipc-message.ts';
import { dictionaryIdMapping, schemaMismatch } from '../arrow/schema-compat.ts';
import { CommitConflictError, CommitOutcomeUnknownError, type Coordinator } from '../coord/coordinator.ts';
import { SYSTEM_CALLS, ensureDirectory, ioFailure, publishFile, removeQuietly, syncDirectoriesUp, type PublishCalls } from '../durable-files.ts';
import { QuiverError } from '../errors.ts';
import { catalogOf } from './catalog.ts';
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

export class Commits {
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
   * Checks a write in `mode` of a stream with `schema` against the current version, before any
   * file is written (commit() checks again against the head it follows).
   */
  async target(name: string, mode: WriteMode, schemaHeader: Uint8Array, schema: Schema): Promise<WriteTarget> {
    const current = await this.reader.current(name);
    if (!current || mode === 'overwrite') return { tableHeader: schemaHeader, dictionaryIds: new Map() };
    if (mode === 'create') throw new QuiverError('ALREADY_EXISTS', `table ${JSON.stringify(name)} already exists (version ${current.version})`, { fact: { kind: 'table-exists', table: name, version: current.version } });
    const table = decodeSchema(schemaBytes(current));
    const reason = schemaMismatch(table, schema);
    if (reason) throw new QuiverError('INVALID_ARGUMENT', `cannot append to table ${JSON.stringify(name)}: ${reason}`, { fact: { kind: 'schema-mismatch', table: name, reason } });
    return { tableHeader: schemaBytes(current), dictionaryIds: dictionaryIdMapping(table, schema) };
  }

  /** Starts a commit of `table`: its directories exist and its files count as a write in flight. */
  async begin(table: string): Promise<PendingCommit> {
    await ensureDirectory(this.layout.subdir(table, 'data'), this.calls);
    await ensureDirectory(this.layout.subdir(table, 'manifests'), this.calls);
    return new PendingCommit(this, table, this.writes.begin(table));
  }

  /** The sequence itself; see the top of this file. Called by PendingCommit. */
  async publish(table: string, files: DataFile[], plan: CommitPlan, onConflict: ConflictPolicy): Promise<CommitOutcome> {
    const began = performance.now();
    const lock = await this.coordinator.lockTable(table);
    let manifestPath: string | null = null;
    let keep = false;
    try {
      const entry = await this.coordinator.head(table);
      const head = entry ? await this.reader.manifest(table, entry.manifest) : null;
      const next = plan(head, files);
      if ('giveUp' in next) return { committed: false, reason: next.giveUp };
      const manifest: Manifest = {
        formatVersion: 1,
        table,
        tableId: head?.tableId ?? randomUUID(),
        version: (head?.version ?? 0) + 1,
        parentVersion: head?.version ?? null,
        operation: next.operation,
        committedAt: new Date().toISOString(),
        schema: Buffer.from(next.schema).toString('base64'),
        files: next.files,
        rows: next.files.reduce((n, f) => n + f.rows, 0),
        arrowBytes: next.files.reduce((n, f) => n + f.arrowBytes, 0),
        added: next.added,
      };
      manifestPath = newManifestPath(manifest.version);
      // Data files written here are published one by one (file-stager.ts); an import's copies
      // are named by this fsync of their directory.
      await this.calls.syncDirectory(this.layout.subdir(table, 'data'));
      await publishFile(this.layout.file(table, manifestPath), JSON.stringify(manifest, null, 1), this.calls);
      // Whoever created the table's directories, they are durable before its first version is.
      if (!head) await syncDirectoriesUp(this.layout.tableDir(table), this.layout.root, this.calls);
      // The table's creation time rides in the catalog while the table keeps its identity.
      const createdAt = !head ? manifest.committedAt : entry?.catalog?.tableId === manifest.tableId ? entry.catalog.createdAt : null;
      try {
        await this.coordinator.publish(table, head?.version ?? 0, manifestPath, catalogOf(manifest, createdAt));
      } catch (e) {
        this.observers.commitFailed(e instanceof CommitConflictError ? 'conflict' : e instanceof CommitOutcomeUnknownError ? 'unknown_outcome' : 'other');
        if (!(e instanceof CommitConflictError)) throw e;
        if (onConflict === 'give-up') return { committed: false, reason: e.message };
        throw new QuiverError('ABORTED', `${e.message}; nothing was committed`, { cause: e, fact: { kind: 'not-committed', table } });
      }
      keep = true;
      this.reader.remember(table, manifestPath, manifest);
      this.observers.committed({ table, version: manifest.version, operation: manifest.operation, rows: next.added.rows, bytes: files.reduce((n, f) => n + f.arrowBytes, 0), seconds: (performance.now() - began) / 1000, committedAt: manifest.committedAt });
      return { committed: true, manifest };
    } catch (e) {
      // An unknown outcome may be in the log already: its manifest and files must stay.
      if (e instanceof CommitOutcomeUnknownError) keep = true;
      // Any other failure published nothing (the coordinator resolves a publish it started).
      throw ioFailure(e, `the commit of table ${JSON.stringify(table)}`);
    } finally {
      try {
        if (!keep) {
          if (manifestPath) await removeQuietly(this.layout.file(table, manifestPath));
          await this.remove(table, files);
        }
      } finally {
        await lock.release();
      }
    }
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

  /** Files (written under the table directory) that this commit publishes, or removes if it does not. */
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
