// Tables on a filesystem root. Layout:
//   <root>/tables/<encoded name>/data/<uuid>.parquet|.arrows   data files, written once
//   <root>/tables/<encoded name>/manifests/<version>-<uuid>.json  one manifest per commit
// Which manifest is current is the coordinator's business (its version log), so a commit is:
// write files, write manifest, then one compare-and-set on the log.
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Schema } from 'apache-arrow';
import { MESSAGE_RECORD_BATCH, messageHeaderType, type IpcFrame } from '../arrow/ipc-framing.ts';
import { decodeSchema } from '../arrow/ipc-message.ts';
import { ColumnProjection } from '../arrow/ipc-projection.ts';
import { dictionaryIdMapping, schemaMismatch } from '../arrow/schema-compat.ts';
import { CommitConflictError, CommitOutcomeUnknownError, CoordinationUnavailableError, type Coordinator, type TableCatalog } from '../coord/coordinator.ts';
import { ensureDirectory, isNotFound, removeQuietly, syncPath, writeNewFile } from '../durable-files.ts';
import { QuiverError, invalidArgument, notFound } from '../errors.ts';
import { tableDirName, validateTableName } from '../table-names.ts';
import { readArrowStreamFile } from './arrow-stream-files.ts';
import { manifestFromJson, schemaBytes, type DataFile, type Manifest, type Operation } from './manifest.ts';
import { parquetIneligibility } from './parquet-eligibility.ts';
import { FrameCache, type FrameCacheStats } from './frame-cache.ts';
import { readParquet } from './parquet-files.ts';
import { ParquetPool } from './parquet-pool.ts';
import { StorageObservers } from './storage-observer.ts';
import { FileStager, type StagedBatch, type StagingOptions } from './table-writer.ts';
import { WritesInFlight } from './writes-in-flight.ts';

export type WriteMode = 'append' | 'overwrite' | 'create';

/** A table's current version as a listing shows it: from the coordinator's catalog when it has one. */
export interface TableDescription extends TableCatalog {
  table: string;
  version: number;
}

/** A message of a stored file as DoGet sends it: a record batch carries the app_metadata it was put with. */
export type StoredFrame = IpcFrame & { appMetadata?: Uint8Array };

export class TableStore {
  private readonly manifests = new Map<string, Manifest>();

  /** Writes under way in this process, whose files no version references yet. */
  readonly writes = new WritesInFlight();

  /** Worker threads for all Parquet encoding and decoding of this store. */
  readonly pool: ParquetPool;
  private readonly cache: FrameCache;
  /** Commits and their failures, for metrics and the status page. */
  readonly observers = new StorageObservers();

  constructor(
    readonly root: string,
    readonly coordinator: Coordinator,
    readonly staging: StagingOptions,
    options: { parquetWorkers?: number; cacheBytes?: number } = {},
  ) {
    this.pool = new ParquetPool(options.parquetWorkers);
    this.cache = new FrameCache(options.cacheBytes ?? 0);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  /** Empties the decoded-file cache (memory pressure, cold-read measurements); returns bytes freed. */
  clearCache(): number {
    return this.cache.clear();
  }

  cacheStats(): FrameCacheStats {
    return this.cache.stats();
  }

  tableDir(name: string): string {
    return path.join(this.root, 'tables', tableDirName(name));
  }

  /** The manifest of `version`, or of the current version when omitted. */
  async snapshot(name: string, version?: number): Promise<Manifest> {
    validateTableName(name);
    if (version !== undefined && (!Number.isSafeInteger(version) || version < 1)) throw invalidArgument(`version must be a positive integer, got ${version}`);
    const entry = version === undefined ? await this.coordinator.head(name) : await this.coordinator.entry(name, version);
    if (!entry) {
      if (version !== undefined && (await this.coordinator.head(name))) {
        throw notFound(`table ${JSON.stringify(name)} has no version ${version} (it was never written or has expired); the history action lists the versions`);
      }
      throw notFound(`table ${JSON.stringify(name)} does not exist; ListFlights shows the tables there are`);
    }
    return this.readManifest(name, entry.manifest);
  }

  /** The version that was current at `at` (ms since the epoch): the newest committed at or before it. */
  async versionAsOf(name: string, at: number): Promise<number> {
    validateTableName(name);
    const entries = await this.coordinator.entries(name);
    if (entries.length === 0) throw notFound(`table ${JSON.stringify(name)} does not exist; ListFlights shows the tables there are`);
    let oldest: Manifest | null = null;
    for (let i = entries.length - 1; i >= 0; i--) {
      oldest = await this.readManifest(name, entries[i]!.manifest);
      if (Date.parse(oldest.committedAt) <= at) return oldest.version;
    }
    throw notFound(`table ${JSON.stringify(name)} has no version as of ${new Date(at).toISOString()}: its oldest retained version, ${oldest!.version}, was committed at ${oldest!.committedAt}; choose a later instant or clear the session's quiver.as_of`);
  }

  /** When `version` was superseded by a newer one (ms since the epoch), or null while current. */
  async supersededAt(name: string, version: number): Promise<number | null> {
    // With coordination unreachable nothing newer can be learnt: the version's lease then runs
    // from when its ticket was issued, and committed versions stay readable meanwhile.
    const head = await this.coordinator.head(name).catch((e: unknown) => {
      if (e instanceof CoordinationUnavailableError) return null;
      throw e;
    });
    // The common case, the current version, is answered from the cached head alone.
    if (!head || head.version <= version) return null;
    const next = await this.coordinator.entry(name, version + 1);
    return next ? Date.parse((await this.readManifest(name, next.manifest)).committedAt) : null;
  }

  async list(prefix = ''): Promise<Manifest[]> {
    const names = (await this.coordinator.tables()).filter((n) => n.startsWith(prefix));
    const out: Manifest[] = [];
    for (const n of names) {
      try {
        out.push(await this.snapshot(n));
      } catch (e) {
        // Dropped between listing and reading: not an error for a listing.
        if (!(e instanceof QuiverError && e.code === 'NOT_FOUND')) throw e;
      }
    }
    return out;
  }

  /**
   * The current version of every table whose name starts with `prefix`, answered from the
   * coordinator's catalog (in a cluster: ZooKeeper alone); a table published without a catalog
   * entry is described from its manifest.
   */
  async describeTables(prefix = ''): Promise<TableDescription[]> {
    const out: TableDescription[] = [];
    for (const { table, head } of await this.coordinator.listHeads(prefix)) {
      try {
        const catalog = head.catalog ?? catalogOf(await this.readManifest(table, head.manifest), null);
        out.push({ table, version: head.version, ...catalog });
      } catch (e) {
        // Dropped between listing and reading: not an error for a listing.
        if (!(e instanceof QuiverError && e.code === 'NOT_FOUND')) throw e;
      }
    }
    return out;
  }

  /** The Schema message of a table's current version, from the catalog when it has it. */
  async currentSchema(name: string): Promise<Uint8Array> {
    validateTableName(name);
    const head = await this.coordinator.head(name);
    if (head?.catalog) return new Uint8Array(Buffer.from(head.catalog.schema, 'base64'));
    return schemaBytes(await this.snapshot(name));
  }

  async history(name: string): Promise<Manifest[]> {
    validateTableName(name);
    const entries = await this.coordinator.entries(name);
    if (entries.length === 0) throw notFound(`table ${JSON.stringify(name)} does not exist`);
    return Promise.all(entries.map((e) => this.readManifest(name, e.manifest)));
  }

  async drop(name: string): Promise<void> {
    validateTableName(name);
    const lock = await this.coordinator.lockTable(name);
    try {
      if (!(await this.coordinator.head(name))) throw notFound(`table ${JSON.stringify(name)} does not exist`);
      await this.coordinator.dropTable(name);
      const dir = this.tableDir(name);
      const trash = path.join(this.root, 'tables', `.dropped-${randomUUID()}`);
      await fs.rename(dir, trash).catch((e) => {
        if (!isNotFound(e)) throw e;
      });
      for (const key of this.manifests.keys()) if (key.startsWith(`${name}\u0000`)) this.manifests.delete(key);
      await removeQuietly(trash);
    } finally {
      await lock.release();
    }
  }

  /** Starts a write; `schemaHeader` is the stream's Schema message flatbuffer. */
  async beginWrite(name: string, mode: WriteMode, schemaHeader: Uint8Array, schema: Schema): Promise<TableWrite> {
    validateTableName(name);
    const ineligible = parquetIneligibility(schema);
    const current = await this.currentOrNull(name);
    let tableHeader = schemaHeader;
    let dictionaryIds = new Map<number, number>();
    if (current) {
      if (mode === 'create') throw new QuiverError('ALREADY_EXISTS', `table ${JSON.stringify(name)} already exists (version ${current.version}); use mode "append" or "overwrite", or drop it first`);
      if (mode === 'append') {
        dictionaryIds = checkAppendable(name, current, schema);
        tableHeader = schemaBytes(current);
      }
    }
    const dir = this.tableDir(name);
    await ensureDirectory(path.join(dir, 'data'));
    await ensureDirectory(path.join(dir, 'manifests'));
    // A copy: the options may change while the server runs, and one write keeps those it began with.
    const stager = new FileStager(dir, tableHeader, decodeSchema(tableHeader), ineligible, dictionaryIds, { ...this.staging }, this.pool);
    return new TableWrite(this, name, mode, tableHeader, schema, stager, this.writes.begin(name));
  }

  /** Publishes staged files as one new version (called by TableWrite). */
  async commitFiles(name: string, mode: WriteMode, schemaHeader: Uint8Array, files: DataFile[]): Promise<Manifest> {
    const began = performance.now();
    const lock = await this.coordinator.lockTable(name);
    const ended = this.writes.begin(name);
    try {
      const head = await this.coordinator.head(name);
      const current = head ? await this.readManifest(name, head.manifest) : null;
      if (current && mode === 'create') throw new QuiverError('ALREADY_EXISTS', `table ${JSON.stringify(name)} was created by another writer while this stream was being written`);
      if (current && mode === 'append' && Buffer.compare(schemaBytes(current), schemaHeader) !== 0) {
        // Files were staged against another schema message (the table was overwritten meanwhile).
        throw new QuiverError('ABORTED', `table ${JSON.stringify(name)} was overwritten while this stream was being written; nothing was committed, send the stream again`, { retriable: true });
      }
      const keep = current && mode === 'append' ? current.files : [];
      const operation: Operation = current ? (mode === 'overwrite' ? 'overwrite' : 'append') : 'create';
      const all = [...keep, ...files];
      const manifest: Manifest = {
        formatVersion: 1,
        table: name,
        tableId: current?.tableId ?? randomUUID(),
        version: (current?.version ?? 0) + 1,
        parentVersion: current?.version ?? null,
        operation,
        committedAt: new Date().toISOString(),
        schema: Buffer.from(schemaHeader).toString('base64'),
        files: all,
        rows: all.reduce((n, f) => n + f.rows, 0),
        arrowBytes: all.reduce((n, f) => n + f.arrowBytes, 0),
        added: { files: files.length, rows: files.reduce((n, f) => n + f.rows, 0) },
      };
      const rel = `manifests/${String(manifest.version).padStart(20, '0')}-${randomUUID()}.json`;
      const dir = this.tableDir(name);
      await writeNewFile(path.join(dir, rel), JSON.stringify(manifest, null, 1));
      await syncPath(path.join(dir, 'data'));
      await syncPath(path.join(dir, 'manifests'));
      try {
        const createdAt = current ? (head?.catalog?.tableId === manifest.tableId ? head.catalog.createdAt : null) : manifest.committedAt;
        await this.coordinator.publish(name, current?.version ?? 0, rel, catalogOf(manifest, createdAt));
      } catch (e) {
        // An unknown outcome may be in the log already: its manifest must stay.
        if (!(e instanceof CommitOutcomeUnknownError)) await removeQuietly(path.join(dir, rel));
        this.observers.commitFailed(e instanceof CommitConflictError ? 'conflict' : e instanceof CommitOutcomeUnknownError ? 'unknown_outcome' : 'other');
        if (e instanceof CommitConflictError) throw new QuiverError('ABORTED', `${e.message}; nothing was committed, send the stream again`, { cause: e });
        throw e;
      }
      this.manifests.set(`${name}\u0000${rel}`, manifest);
      this.observers.committed({ table: name, version: manifest.version, operation, rows: manifest.added.rows, bytes: files.reduce((n, f) => n + f.arrowBytes, 0), seconds: (performance.now() - began) / 1000, committedAt: manifest.committedAt });
      return manifest;
    } finally {
      ended();
      await lock.release();
    }
  }

  /**
   * Dictionary and record batch frames of data files, as the schema's IPC stream continues. The
   * next file's first decode starts while the current one is being sent, so the Parquet workers
   * and the network overlap.
   */
  async *readFiles(manifest: Manifest, files: DataFile[], columns?: string[]): AsyncGenerator<StoredFrame> {
    let next: AsyncGenerator<StoredFrame> | null = files.length > 0 ? this.startReading(manifest, files[0]!, columns) : null;
    try {
      for (let i = 0; i < files.length; i++) {
        const current = next!;
        next = i + 1 < files.length ? this.startReading(manifest, files[i + 1]!, columns) : null;
        yield* current;
      }
    } finally {
      await next?.return(undefined);
    }
  }

  /** readFile, with its first frame already asked for. */
  private startReading(manifest: Manifest, file: DataFile, columns?: string[]): AsyncGenerator<StoredFrame> {
    const frames = this.readFile(manifest, file, columns);
    const first = frames.next();
    first.catch(() => undefined); // surfaced when awaited below
    return (async function* () {
      try {
        const head = await first;
        if (head.done) return;
        yield head.value;
        yield* frames;
      } finally {
        await frames.return(undefined);
      }
    })();
  }

  /** Frames of one data file, from the cache when it holds them. */
  async *readFile(manifest: Manifest, file: DataFile, columns?: string[]): AsyncGenerator<StoredFrame> {
    const full = path.join(this.tableDir(manifest.table), file.path);
    const key = columns ? `${full}\u0000${columns.join('\u0000')}` : full;
    const cached = this.cache.get(key);
    if (cached) {
      yield* cached;
      return;
    }
    let frames: AsyncGenerator<IpcFrame>;
    if (file.format === 'parquet') frames = readParquet(this.pool, full, { batches: file.batches, columns });
    else {
      frames = readArrowStreamFile(full, { skipSchema: true });
      if (columns) frames = projectFrames(frames, new ColumnProjection(decodeSchema(schemaBytes(manifest)), columns));
    }
    const keep: StoredFrame[] | null = this.cache.admits(file.arrowBytes) ? [] : null;
    const metadata = file.batchMetadata?.map((m) => (m === null ? undefined : Buffer.from(m, 'base64')));
    let batch = 0;
    try {
      for await (const raw of frames) {
        let frame: StoredFrame = raw;
        if (metadata && messageHeaderType(raw.header) === MESSAGE_RECORD_BATCH) {
          const appMetadata = metadata[batch++];
          if (appMetadata) frame = { ...raw, appMetadata };
        }
        keep?.push(frame);
        yield frame;
      }
    } catch (e) {
      if (e instanceof QuiverError) throw e;
      // A committed file that does not read back is damage on disk, not a bad request.
      const missing = isNotFound(e) || !(await fs.stat(full).then(() => true, () => false));
      const what = missing ? 'is missing' : `cannot be read (${e instanceof Error ? e.message : String(e)})`;
      throw new QuiverError('DATA_LOSS', `data file ${file.path} of table ${JSON.stringify(manifest.table)} version ${manifest.version} ${what}; restore it from a backup or read another version`, { cause: e });
    }
    if (keep) this.cache.set(key, keep);
  }

  private async currentOrNull(name: string): Promise<Manifest | null> {
    const head = await this.coordinator.head(name);
    return head ? this.readManifest(name, head.manifest) : null;
  }

  private async readManifest(name: string, rel: string): Promise<Manifest> {
    const key = `${name}\u0000${rel}`;
    const cached = this.manifests.get(key);
    if (cached) return cached;
    const file = path.join(this.tableDir(name), rel);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      if (isNotFound(e)) throw notFound(`table ${JSON.stringify(name)} was dropped, or this version of it has expired; call GetFlightInfo again`);
      throw e;
    }
    const m = manifestFromJson(text, file);
    this.manifests.set(key, m);
    return m;
  }
}

/** What the coordinator's catalog holds of a version (createdAt: the table's first commit, when known). */
export function catalogOf(m: Manifest, createdAt: string | null): TableCatalog {
  return {
    tableId: m.tableId,
    createdAt,
    committedAt: m.committedAt,
    schema: m.schema,
    formats: [...new Set(m.files.map((f) => f.format))].sort(),
    files: m.files.length,
    rows: m.rows,
    arrowBytes: m.arrowBytes,
  };
}

async function* projectFrames(frames: AsyncGenerator<IpcFrame>, projection: ColumnProjection): AsyncGenerator<IpcFrame> {
  try {
    for await (const frame of frames) {
      const projected = projection.apply(frame);
      if (projected) yield projected;
    }
  } finally {
    await frames.return(undefined);
  }
}

/** Refuses a schema that cannot be appended; returns how its dictionary ids map to the table's. */
function checkAppendable(name: string, current: Manifest, schema: Schema): Map<number, number> {
  const table = decodeSchema(schemaBytes(current));
  const reason = schemaMismatch(table, schema);
  if (reason) throw invalidArgument(`cannot append to table ${JSON.stringify(name)}: ${reason}; use mode "overwrite" to replace the table with the new schema`);
  return dictionaryIdMapping(table, schema);
}

/** A write in progress: the handle DoPut feeds and then commits or aborts. */
export class TableWrite {
  private done = false;

  constructor(
    private readonly store: TableStore,
    readonly table: string,
    readonly mode: WriteMode,
    private readonly schemaHeader: Uint8Array,
    readonly schema: Schema,
    private readonly stager: FileStager,
    /** Ends this write's entry in the store's writes in flight. */
    private readonly ended: () => void,
  ) {}

  add(batch: StagedBatch): Promise<void> {
    return this.stager.add(batch);
  }

  async commit(): Promise<Manifest> {
    if (this.done) throw new Error('write already finished');
    this.done = true;
    try {
      const files = await this.stager.finish();
      return await this.store.commitFiles(this.table, this.mode, this.schemaHeader, files);
    } catch (e) {
      // After an unknown outcome the files may belong to a committed version: orphan
      // collection, which checks the log, decides later.
      if (!(e instanceof CommitOutcomeUnknownError)) await this.stager.abort();
      throw e;
    } finally {
      this.ended();
    }
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      await this.stager.abort();
    } finally {
      this.ended();
    }
  }
}

