// Tables on a filesystem root, as the Flight layer and maintenance see them: one object that
// assembles the parts and keeps call sites short. Each part lives in its own module:
//   layout.ts        where everything is on disk
//   table-reader.ts  snapshots, the manifest cache, reading data files (prefetch, frame cache)
//   table-writer.ts  beginWrite: staging a stream into files, then committing it
//   commit.ts        the one commit path (lock, head, manifest, publish, conflicts, unknown outcomes)
//   catalog.ts       listing and describing tables, dropping them
// Which manifest is current is the coordinator's business (its version log).
import type { Schema } from 'apache-arrow';
import type { Coordinator } from '../coord/coordinator.ts';
import type { PublishCalls } from '../durable-files.ts';
import type { Logger } from '../logger.ts';
import { Catalog, type TableDescription } from './catalog.ts';
import { Commits, type WriteMode } from './commit.ts';
import type { StagingOptions } from './file-stager.ts';
import type { FrameCacheStats } from './frame-cache.ts';
import { LandedBytes, type LandingLimits } from './landing-limits.ts';
import { StorageLayout } from './layout.ts';
import type { DataFile, Manifest } from './manifest.ts';
import { ParquetPool } from './parquet-pool.ts';
import { StorageObservers } from './storage-observer.ts';
import { TableReader, type StoredFrame } from './table-reader.ts';
import { TableWriter, type TableWrite } from './table-writer.ts';
import { WritesInFlight } from './writes-in-flight.ts';
import type { DiskCache } from '../object-store/disk-cache.ts';
import type { ObjectStore } from '../object-store/object-store.ts';
import { ObjectFiles } from './object-files.ts';
import { ObjectPublishingCoordinator } from './object-publishing-coordinator.ts';

export class TableStore {
  readonly layout: StorageLayout;
  /** Writes under way in this process, whose files no version references yet. */
  readonly writes = new WritesInFlight();
  /** Worker threads for all Parquet encoding and decoding of this store. */
  readonly pool: ParquetPool;
  readonly reader: TableReader;
  readonly catalog: Catalog;
  readonly commits: Commits;
  readonly writer: TableWriter;
  /** Commits and their failures, for metrics and the status page. */
  readonly observers = new StorageObservers();
  /** Arrow IPC bytes landed and not yet converted, per table (the landing's disk bound). */
  readonly landed = new LandedBytes();
  /** With tables in an object store: the bucket's files (root is then the local work root). */
  readonly objects: ObjectFiles | null;
  /** What commits publish through: the coordinator, behind the bucket's puts on an object store. */
  readonly publisher: Coordinator;

  constructor(
    readonly root: string,
    readonly coordinator: Coordinator,
    readonly staging: StagingOptions,
    /**
     * log: where tables left out of a listing (damaged on disk) are reported; calls: the system
     * calls with which commits publish manifests (a test fails one); landing: the limits past
     * which a DoPut waits for conversion (read at each write; none when absent).
     */
    /** objectStore: keep the tables in this store, `root` being the local work root (object-files.ts). */
    options: { parquetWorkers?: number; cacheBytes?: number; log?: Logger; calls?: PublishCalls; landing?: LandingLimits; objectStore?: { store: ObjectStore; cache?: DiskCache } } = {},
  ) {
    this.layout = new StorageLayout(root);
    this.objects = options.objectStore ? new ObjectFiles(this.layout, options.objectStore.store, options.objectStore.cache) : null;
    this.publisher = this.objects ? new ObjectPublishingCoordinator(coordinator, this.objects) : coordinator;
    this.pool = new ParquetPool(options.parquetWorkers);
    this.reader = new TableReader(this.layout, coordinator, this.pool, options.cacheBytes ?? 0, this.objects ? { objects: this.objects } : {});
    this.catalog = new Catalog(this.layout, coordinator, this.reader, options.log);
    this.commits = new Commits(this.layout, this.publisher, this.reader, this.writes, this.observers, options.calls);
    this.writer = new TableWriter(this.layout, this.commits, this.pool, staging, options.landing
      ? { ledger: this.landed, limits: options.landing, current: (name) => this.reader.current(name) }
      : undefined);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  /** Empties the decoded-file cache (memory pressure, cold-read measurements); returns bytes freed. */
  clearCache(): number {
    return this.reader.clearCache();
  }

  cacheStats(): FrameCacheStats {
    return this.reader.cacheStats();
  }

  tableDir(name: string): string {
    return this.layout.tableDir(name);
  }

  snapshot(name: string, version?: number): Promise<Manifest> {
    return this.reader.snapshot(name, version);
  }

  versionAsOf(name: string, at: number): Promise<number> {
    return this.reader.versionAsOf(name, at);
  }

  supersededAt(name: string, version: number): Promise<number | null> {
    return this.reader.supersededAt(name, version);
  }

  history(name: string): Promise<Manifest[]> {
    return this.reader.history(name);
  }

  readFiles(manifest: Manifest, files: DataFile[], columns?: string[]): AsyncGenerator<StoredFrame> {
    return this.reader.readFiles(manifest, files, columns);
  }

  readFile(manifest: Manifest, file: DataFile, columns?: string[]): AsyncGenerator<StoredFrame> {
    return this.reader.readFile(manifest, file, columns);
  }

  list(prefix = ''): Promise<Manifest[]> {
    return this.catalog.list(prefix);
  }

  describeTables(prefix = ''): Promise<TableDescription[]> {
    return this.catalog.describeTables(prefix);
  }

  currentSchema(name: string): Promise<Uint8Array> {
    return this.catalog.currentSchema(name);
  }

  drop(name: string): Promise<void> {
    return this.catalog.drop(name);
  }

  beginWrite(name: string, mode: WriteMode, schemaHeader: Uint8Array, schema: Schema, signal?: AbortSignal): Promise<TableWrite> {
    return this.writer.beginWrite(name, mode, schemaHeader, schema, signal);
  }
}
