// Reading tables: which manifest a version is (through the coordinator's log), the manifests
// themselves (cached within a byte budget: they never change once written), and the frames of
// data files, decoded by the Parquet workers or read from Arrow stream files, with a cache of
// decoded files.
// Readers take no locks: everything they read is immutable once published.
import fs from 'node:fs/promises';
import { MESSAGE_RECORD_BATCH, messageHeaderType, type IpcFrame } from '../arrow/ipc-framing.ts';
import { decodeSchema } from '../arrow/ipc-message.ts';
import { ColumnProjection } from '../arrow/ipc-projection.ts';
import { CoordinationUnavailableError, type Coordinator } from '../coord/coordinator.ts';
import { isNotFound } from '../durable-files.ts';
import { QuiverError, invalidArgument, notFound } from '../errors.ts';
import { validateTableName } from '../table-names.ts';
import { readArrowStreamFile } from './arrow-stream-files.ts';
import { FrameCache, type FrameCacheStats } from './frame-cache.ts';
import { ManifestCache } from './manifest-cache.ts';
import type { StorageLayout } from './layout.ts';
import { manifestFromJson, manifestOfTable, schemaBytes, type DataFile, type Manifest } from './manifest.ts';
import { readParquet } from './parquet-files.ts';
import type { ParquetPool } from './parquet-pool.ts';
import type { ObjectFiles, OpenedFile } from './object-files.ts';

/** A message of a stored file as DoGet sends it: a record batch carries the app_metadata it was put with. */
export type StoredFrame = IpcFrame & { appMetadata?: Uint8Array };

/** The error of a table the log does not know. */
export const tableMissing = (name: string) => new QuiverError('NOT_FOUND', `table ${JSON.stringify(name)} does not exist`, { fact: { kind: 'table-missing', table: name } });

/** Reads and decodes a manifest file, bypassing any cache; null when the file does not exist. */
export async function readManifestFile(file: string): Promise<Manifest | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
  return manifestFromJson(text, file);
}

/**
 * Manifest files read at once by a history: each read holds a file descriptor, and 100,000
 * versions read all at once would run out of them (EMFILE) long before memory.
 */
export const MANIFEST_READ_CONCURRENCY = 16;

export interface TableReaderOptions {
  /** Budget of the manifest cache (estimated heap bytes); default DEFAULT_MANIFEST_CACHE_BYTES. */
  manifestCacheBytes?: number;
  /** Tables in an object store: files not staged locally are read from it (object-files.ts). */
  objects?: ObjectFiles;
}

export class TableReader {
  private readonly manifests: ManifestCache;
  private readonly cache: FrameCache;
  private encode: (frame: StoredFrame) => StoredFrame = (frame) => frame;
  private readonly objects: ObjectFiles | undefined;

  constructor(
    private readonly layout: StorageLayout,
    private readonly coordinator: Coordinator,
    private readonly pool: ParquetPool,
    cacheBytes: number,
    options: TableReaderOptions = {},
  ) {
    this.cache = new FrameCache(cacheBytes);
    this.manifests = new ManifestCache(options.manifestCacheBytes);
    this.objects = options.objects;
  }

  /**
   * Has every frame read from now on passed through `encode` once, before it is cached or
   * yielded: the serving layer encodes a frame for the wire there, so that a cached frame is
   * sent many times but encoded once (the frame it returns must carry the same content).
   */
  encodeFramesWith(encode: (frame: StoredFrame) => StoredFrame): void {
    this.encode = encode;
  }

  /** The manifest cache's entries and estimated bytes. */
  manifestCacheStats(): { entries: number; bytes: number; budgetBytes: number } {
    return this.manifests.stats();
  }

  /** Empties the decoded-file cache; returns bytes freed. */
  clearCache(): number {
    return this.cache.clear();
  }

  /** The decoded-file cache's size, hits and misses. */
  cacheStats(): FrameCacheStats {
    return this.cache.stats();
  }

  /** The manifest of `version`, or of the current version when omitted. */
  async snapshot(name: string, version?: number): Promise<Manifest> {
    validateTableName(name);
    if (version !== undefined && (!Number.isSafeInteger(version) || version < 1)) throw invalidArgument(`version must be a positive integer, got ${version}`);
    const entry = version === undefined ? await this.coordinator.head(name) : await this.coordinator.entry(name, version);
    if (!entry) {
      if (version !== undefined && (await this.coordinator.head(name))) {
        throw new QuiverError('NOT_FOUND', `table ${JSON.stringify(name)} has no version ${version} (it was never written or has expired)`, { fact: { kind: 'version-missing', table: name, version } });
      }
      throw tableMissing(name);
    }
    return this.manifest(name, entry.manifest);
  }

  /** The current version's manifest, or null when the table does not exist. */
  async current(name: string): Promise<Manifest | null> {
    const head = await this.coordinator.head(name);
    return head ? this.manifest(name, head.manifest) : null;
  }

  /** The version that was current at `at` (ms since the epoch): the newest committed at or before it. */
  async versionAsOf(name: string, at: number): Promise<number> {
    validateTableName(name);
    const entries = await this.coordinator.entries(name);
    if (entries.length === 0) throw tableMissing(name);
    let oldest: Manifest | null = null;
    for (let i = entries.length - 1; i >= 0; i--) {
      oldest = await this.manifest(name, entries[i]!.manifest);
      if (Date.parse(oldest.committedAt) <= at) return oldest.version;
    }
    throw new QuiverError('NOT_FOUND', `table ${JSON.stringify(name)} has no version as of ${new Date(at).toISOString()}: its oldest retained version, ${oldest!.version}, was committed at ${oldest!.committedAt}`, { fact: { kind: 'no-version-as-of', table: name, at } });
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
    return next ? Date.parse((await this.manifest(name, next.manifest)).committedAt) : null;
  }

  async history(name: string): Promise<Manifest[]> {
    validateTableName(name);
    const entries = await this.coordinator.entries(name);
    if (entries.length === 0) throw notFound(`table ${JSON.stringify(name)} does not exist`);
    return mapBounded(entries, MANIFEST_READ_CONCURRENCY, (e) => this.manifest(name, e.manifest));
  }

  /** The manifest at `rel` (relative to the table directory), from the cache when it holds it. */
  async manifest(name: string, rel: string): Promise<Manifest> {
    const cached = this.manifests.get(name, rel);
    if (cached) return cached;
    let file = this.layout.manifestFile(name, rel);
    let m: Manifest | null;
    if (this.objects) {
      const read = await this.objects.readManifest(name, rel);
      file = read?.where ?? file;
      m = read ? manifestFromJson(read.text, read.where) : null;
    } else m = await readManifestFile(file);
    if (!m) throw new QuiverError('NOT_FOUND', `table ${JSON.stringify(name)} was dropped, or this version of it has expired`, { fact: { kind: 'version-gone', table: name } });
    manifestOfTable(m, name, file);
    this.manifests.set(name, rel, m);
    return m;
  }

  /** Caches a manifest just written, so the commit's first readers need not read it back. */
  remember(name: string, rel: string, manifest: Manifest): void {
    this.manifests.set(name, rel, manifest);
  }

  /** Forgets a dropped table's manifests. */
  forget(name: string): void {
    this.manifests.forget(name);
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
    const full = this.layout.file(manifest.table, file.path);
    const key = columns ? `${full}\u0000${columns.join('\u0000')}` : full;
    const cached = this.cache.get(key);
    if (cached) {
      yield* cached;
      return;
    }
    let opened: OpenedFile | undefined;
    if (this.objects) {
      try {
        // A projection of a Parquet file fetches only its columns' bytes (object-parquet-ranges.ts).
        opened = file.format === 'parquet' && columns ? await this.objects.openColumns(manifest.table, file.path, columns) : await this.objects.open(manifest.table, file.path);
      } catch (e) {
        // An unreachable store is the store's error (UNAVAILABLE); a missing object is damage.
        if (!(e instanceof QuiverError && e.code === 'NOT_FOUND')) throw e;
        throw new QuiverError('DATA_LOSS', `data file ${file.path} of table ${JSON.stringify(manifest.table)} version ${manifest.version} is missing from the object store; restore it from a backup or read another version`, { cause: e });
      }
    }
    const local = opened?.path ?? full;
    let frames: AsyncGenerator<IpcFrame>;
    if (file.format === 'parquet') frames = readParquet(this.pool, local, { batches: file.batches, columns });
    else {
      frames = readArrowStreamFile(local, { skipSchema: true });
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
        frame = this.encode(frame);
        keep?.push(frame);
        yield frame;
      }
    } catch (e) {
      if (e instanceof QuiverError) throw e;
      // A committed file that does not read back is damage on disk, not a bad request.
      const missing = isNotFound(e) || !(await fs.stat(local).then(() => true, () => false));
      const what = missing ? 'is missing' : `cannot be read (${e instanceof Error ? e.message : String(e)})`;
      throw new QuiverError('DATA_LOSS', `data file ${file.path} of table ${JSON.stringify(manifest.table)} version ${manifest.version} ${what}; restore it from a backup or read another version`, { cause: e });
    } finally {
      await opened?.release();
    }
    if (keep) this.cache.set(key, keep);
  }
}

/** `fn` over `items` with at most `limit` calls in flight; results in the items' order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!);
      } catch (e) {
        failed = true; // the other lanes stop taking items
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
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
