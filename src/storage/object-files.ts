// A table store's files when its tables live in an object store (--data s3://…). Writers go on
// staging data files and manifests in a local work root, exactly as on a filesystem data root
// (same layout, same fsyncs and publication by link); what changes is what makes a version
// durable: before its log entry is created, its manifest and every data file it adds are put
// in the bucket under the same relative keys (tables/<dir>/data/<uuid>.parquet, …), which are
// unique and never overwritten (put-if-absent; multipart for large files, write-object.ts).
// Readers open a file locally when this server still has it, and otherwise take a local copy
// from the bounded disk cache (--cache-dir, --cache-disk-bytes), or, with the cache off, a
// temporary download removed when the read ends.
//
// Once a version is published its staged files are handed to the disk cache (a hard link) and
// removed from the work root, so the work root holds only writes in flight and the cache's
// bound is the server's whole disk use for table data. Manifests stay in the work root (small,
// and the reader's first look).
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { isNotFound, removeQuietly } from '../durable-files.ts';
import { QuiverError } from '../errors.ts';
import type { DiskCache } from '../object-store/disk-cache.ts';
import { isObjectMissing, type ObjectStore } from '../object-store/object-store.ts';
import { writeObject } from '../object-store/write-object.ts';
import { tableDirName } from '../table-names.ts';
import type { StorageLayout } from './layout.ts';
import { manifestFromJson, type Manifest } from './manifest.ts';
import { SqlCopies } from './object-sql-copies.ts';
import { writeSparseParquet, type RangeGet } from './object-parquet-ranges.ts';
import { TABLE_SUBDIRS, tablePath } from './table-paths.ts';

/** Where table objects live under the store's prefix (the work root's layout, relative to it). */
export const TABLES_PREFIX = 'tables/';
/**
 * Release records of expiry: which data files it left unreferenced, and when. An object's only
 * time is its creation, so orphan collection measures its grace period from these instead.
 */
export const RELEASED_PREFIX = 'gc/released/';

/** A file to read, local for as long as the reader needs it. */
export interface OpenedFile {
  readonly path: string;
  release(): Promise<void>;
}

/** Keys known to be in the store, so that a version's kept files are not checked again. */
const KNOWN_KEYS_LIMIT = 100_000;

export class ObjectFiles {
  private readonly known = new Set<string>();
  /** Bytes ranged reads of columns fetched (from the store or the disk cache's ranges). */
  rangedBytes = 0;
  /** Local copies of data files under the work root's tables/, for DuckDB (Flight SQL). */
  readonly sqlCopies: SqlCopies;

  constructor(
    private readonly layout: StorageLayout,
    readonly store: ObjectStore,
    private readonly cache: DiskCache | undefined,
  ) {
    this.sqlCopies = new SqlCopies(this, layout.tablesRoot);
  }

  /** The object key of a table's file (the path relative to its table directory, checked). */
  key(table: string, rel: string): string {
    return this.keyNamed(tableDirName(table), tablePath(rel, TABLE_SUBDIRS, `a file of table ${JSON.stringify(table)}`));
  }

  keyNamed(dirName: string, rel: string): string {
    return `${TABLES_PREFIX}${dirName}/${rel}`;
  }

  /**
   * Puts a staged version in the store: every data file its manifest names that the store is
   * not known to hold, then the manifest itself. Called before the version's log entry is
   * created, so that every object a log entry references exists. Returns the data files it
   * put from the work root (settle() takes them once the version is committed).
   */
  async publishVersion(table: string, manifestRel: string): Promise<string[]> {
    const localManifest = this.layout.manifestFile(table, manifestRel);
    const text = await fs.readFile(localManifest, 'utf8');
    const manifest = manifestFromJson(text, localManifest);
    const staged = await Promise.all(manifest.files.map((f) => this.upload(table, f.path)));
    await this.upload(table, manifestRel);
    return manifest.files.filter((_, i) => staged[i]).map((f) => f.path);
  }

  /**
   * After the version is committed: its staged data files move to the disk cache (or are
   * simply removed) so that the work root keeps writes in flight only.
   */
  async settle(table: string, staged: string[]): Promise<void> {
    await Promise.all(staged.map(async (rel) => {
      const local = this.layout.file(table, rel);
      const key = this.key(table, rel);
      try {
        await this.cache?.adopt(key, local);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      await removeQuietly(local);
    }));
  }

  /**
   * Puts one staged file (streamed: at most one part in memory); a file the store holds already
   * is left. True when it was put from the work root.
   */
  private async upload(table: string, rel: string): Promise<boolean> {
    const key = this.key(table, rel);
    if (this.known.has(key)) return false;
    const local = this.layout.file(table, rel);
    let exists = true;
    try {
      await fs.access(local);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      exists = false;
    }
    if (exists) await writeObject(this.store, key, createReadStream(local));
    else if (!(await this.store.head(key))) {
      // Kept from an earlier version, which was only published once its files were in the store.
      throw new QuiverError('DATA_LOSS', `${rel} of table ${JSON.stringify(table)} is neither staged here nor in ${this.store.location}; nothing was committed`, { retriable: false });
    }
    if (this.known.size >= KNOWN_KEYS_LIMIT) this.known.clear();
    this.known.add(key);
    return exists;
  }

  /** A manifest's text: from the work root when this server has it, else from the store; null when neither has it. */
  async readManifest(table: string, rel: string): Promise<{ text: string; where: string } | null> {
    const local = this.layout.manifestFile(table, rel);
    try {
      return { text: await fs.readFile(local, 'utf8'), where: local };
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const key = this.key(table, rel);
    try {
      const got = this.cache ? await this.cache.read(key) : await this.store.get(key);
      return { text: new TextDecoder().decode(got.bytes), where: `${this.store.location}/${key}` };
    } catch (e) {
      if (isObjectMissing(e)) return null;
      throw e;
    }
  }

  /** A manifest, decoded (maintenance reads it this way: no cache keeps it); null when it is nowhere. */
  async manifest(table: string, rel: string): Promise<Manifest | null> {
    const read = await this.readManifest(table, rel);
    return read ? manifestFromJson(read.text, read.where) : null;
  }

  /** Records that expiry left `rels` of `table` unreferenced now (see RELEASED_PREFIX). */
  async recordReleased(table: string, rels: string[], now: number): Promise<void> {
    if (rels.length === 0) return;
    const key = `${RELEASED_PREFIX}${String(now).padStart(16, '0')}-${randomUUID()}.json`;
    await this.store.putIfAbsent(key, new TextEncoder().encode(JSON.stringify({ dir: tableDirName(table), files: rels })));
  }

  /** A data file as a local path: staged here, or copied from the store (NOT_FOUND when it has none). */
  async open(table: string, rel: string): Promise<OpenedFile> {
    const local = this.layout.file(table, rel);
    try {
      await fs.access(local);
      return { path: local, release: async () => undefined };
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const key = this.key(table, rel);
    if (this.cache) {
      try {
        const copy = await this.cache.localCopy(key);
        return { path: copy.path, release: async () => copy.release() };
      } catch (e) {
        // Larger than the whole cache: a download of its own.
        if (!(e instanceof QuiverError && e.code === 'RESOURCE_EXHAUSTED')) throw e;
      }
    }
    return this.download(key, rel);
  }

  /**
   * A Parquet data file for a read of `columns` only: staged here or cached whole, as open()
   * gives it; otherwise a sparse local file holding just the footer, page indexes and those
   * columns' chunks, fetched by ranged GETs (object-parquet-ranges.ts), removed on release.
   */
  async openColumns(table: string, rel: string, columns: readonly string[]): Promise<OpenedFile> {
    const key = this.key(table, rel);
    const local = this.layout.file(table, rel);
    if (this.cache?.holdsWhole(key) || (await fs.access(local).then(() => true, (e) => (isNotFound(e) ? false : Promise.reject(e))))) return this.open(table, rel);
    const file = await this.downloadFile(rel);
    const get: RangeGet = (range) => (this.cache ? this.cache.read(key, range) : this.store.get(key, { range }));
    try {
      this.rangedBytes += await writeSparseParquet(get, file, columns);
    } catch (e) {
      await removeQuietly(file);
      if (e instanceof QuiverError || isObjectMissing(e)) throw e;
      // A footer this reader does not follow: the whole file, read as always.
      return this.open(table, rel);
    }
    return { path: file, release: () => removeQuietly(file) };
  }

  private async downloadFile(rel: string): Promise<string> {
    const dir = path.join(this.layout.root, '.downloads');
    await fs.mkdir(dir, { recursive: true });
    return path.join(dir, `${randomUUID()}${path.extname(rel)}`);
  }

  private async download(key: string, rel: string): Promise<OpenedFile> {
    const file = await this.downloadFile(rel);
    const fh = await fs.open(file, 'w');
    try {
      const chunk = 8 * 1024 * 1024;
      let at = 0;
      for (;;) {
        const got = await this.store.get(key, { range: { offset: at, length: chunk } });
        await fh.write(got.bytes);
        at += got.bytes.byteLength;
        if (at >= got.size || got.bytes.byteLength === 0) break;
      }
    } catch (e) {
      await fh.close();
      await removeQuietly(file);
      throw e;
    }
    await fh.close();
    return { path: file, release: () => removeQuietly(file) };
  }

  /** Deletes a table file's object (expiry, orphan collection); deleting one that is gone succeeds. */
  async delete(table: string, rel: string): Promise<void> {
    const key = this.key(table, rel);
    this.known.delete(key);
    await this.store.delete(key);
  }
}
