// A bounded local disk cache in front of an object store: the ranges a reader fetched (Parquet
// footers, the column chunks of a row group) and whole objects (local copies for readers that
// need a file, such as DuckDB, which cannot read S3 here), so that repeated reads and lookups do
// not go back to the bucket. At most maxBytes of entries are kept; the least recently used go.
//
// Entries are never stale: the object store never overwrites a key, so what a key held once it
// holds until it is deleted (a deleted key is no longer named by any manifest, and its entry
// ages out). Three properties matter:
// - crash safety: an entry is written under a temporary name, fsynced and linked into place
//   (durable-files.ts), and its name carries its length, checked when the cache opens and on
//   every read, so a partial download is never served: after a crash only temporaries are left,
//   and the cache removes them when it opens;
// - concurrency: two readers of one missing range wait for one fetch;
// - one owner: a lock file keeps a second process off the directory, whose accounting would
//   not know this one's entries.
//
// Entry names: <hash of store location and key>-r-<start>-<length>-<object size> for a range,
// <hash>-w-<object size> for a whole object; every range of an object cached whole is served
// from that copy.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { QuiverError } from '../errors.ts';
import { ensureDirectory, isAlreadyExists, isNotFound, isTemporaryName, NewFile, publishFile, removeQuietly } from '../durable-files.ts';
import { checkKey, checkRange, resolveRange, type ByteRange, type ObjectBytes, type ObjectStore } from './object-store.ts';

/** Whole objects are fetched in ranges of this size, each retried on its own. */
const WHOLE_CHUNK_BYTES = 8 * 1024 * 1024;
const ENTRY_NAME = /^([0-9a-f]{32})-(?:r-(\d+)-(\d+)|w)-(\d+)$/;

interface Entry {
  readonly name: string;
  readonly hash: string;
  /** Absolute range of the object this entry holds; a whole object is [0, objectSize). */
  readonly start: number;
  readonly length: number;
  readonly objectSize: number;
  readonly whole: boolean;
  /** Readers using the file now: eviction passes it by. */
  pins: number;
}

export interface DiskCacheStats {
  hits: number;
  misses: number;
  /** Requests made to the store (whole objects count one per chunk). */
  fetches: number;
  evictions: number;
  /** Entries that could not be written (a full disk): the bytes were served, not kept. */
  writeFailures: number;
  bytes: number;
  entries: number;
}

/** A local copy of a whole object, valid until release(). */
export interface LocalCopy {
  readonly path: string;
  readonly size: number;
  release(): void;
}

export class DiskCache {
  /** Insertion order is recency order: the first entry is the least recently used. */
  private readonly entries = new Map<string, Entry>();
  /** Object sizes learned from any fetch (objects never change: a suffix can be resolved from it). */
  private readonly sizes = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private used = 0;
  private reserved = 0;
  readonly stats: DiskCacheStats = { hits: 0, misses: 0, fetches: 0, evictions: 0, writeFailures: 0, bytes: 0, entries: 0 };

  private constructor(
    private readonly store: ObjectStore,
    readonly dir: string,
    readonly maxBytes: number,
    private readonly lock: string,
  ) {}

  /** Opens (or creates) the cache in `dir`, takes its lock, drops temporaries and damaged entries. */
  static async open(store: ObjectStore, dir: string, maxBytes: number): Promise<DiskCache> {
    const entriesDir = path.join(dir, 'entries');
    await ensureDirectory(entriesDir);
    const lock = path.join(dir, 'lock');
    await takeLock(lock);
    const cache = new DiskCache(store, dir, maxBytes, lock);
    try {
      await cache.load();
    } catch (e) {
      await cache.close();
      throw e;
    }
    return cache;
  }

  /**
   * The bytes of `range` (or the whole object), from the cache or fetched into it. A read that
   * joins another's fetch gets its own copy of the bytes.
   */
  async read(key: string, range?: ByteRange): Promise<ObjectBytes> {
    checkKey(key);
    checkRange(range);
    const hash = this.hash(key);
    if (range === undefined) {
      let copy: LocalCopy;
      try {
        copy = await this.localCopy(key);
      } catch (e) {
        if (!(e instanceof QuiverError && e.code === 'RESOURCE_EXHAUSTED')) throw e;
        this.stats.fetches++;
        return this.store.get(key);
      }
      try {
        return { bytes: new Uint8Array(await fs.readFile(copy.path)), size: copy.size };
      } finally {
        copy.release();
      }
    }
    const size = this.sizes.get(hash);
    if (size === undefined) {
      // The first read of this object: its size (and so where a suffix starts) is learned now.
      const fetched = await this.fetchOnce(`${hash}-first-${JSON.stringify(range)}`, () => this.fetchRange(key, hash, range));
      return { bytes: fetched.bytes, size: fetched.size };
    }
    const { start, end } = resolveRange(range, size);
    if (end <= start) return { bytes: new Uint8Array(0), size };
    const entry = this.covering(hash, start, end);
    const cached = entry && (await this.readEntry(entry, start, end));
    if (cached) {
      this.stats.hits++;
      return { bytes: cached, size };
    }
    const fetched = await this.fetchOnce(`${hash}-r-${start}-${end - start}`, () => this.fetchRange(key, hash, { offset: start, length: end - start }));
    return { bytes: fetched.bytes, size };
  }

  /** A complete local copy of the object, fetched once into the cache; release() it when done. */
  async localCopy(key: string): Promise<LocalCopy> {
    checkKey(key);
    const hash = this.hash(key);
    for (;;) {
      let entry = this.wholeEntry(hash);
      if (entry) this.stats.hits++;
      else entry = await this.fetchOnce(`${hash}-w`, () => this.fetchWhole(key, hash));
      if (!entry) throw new QuiverError('RESOURCE_EXHAUSTED', `${key} (${this.sizes.get(hash) ?? '?'} bytes) does not fit in the disk cache of ${this.maxBytes} bytes (--cache-disk-bytes)`);
      if (!(await this.intact(entry))) continue;
      entry.pins++;
      this.touch(entry);
      let released = false;
      return {
        path: this.file(entry.name),
        size: entry.objectSize,
        release: () => {
          if (released) return;
          released = true;
          entry.pins--;
          void this.evict(0);
        },
      };
    }
  }

  /**
   * Keeps `file`, which holds exactly the object `key` (a file just uploaded from it), as the
   * object's whole copy, by a hard link: the first reads after a write need no download. False
   * when it does not fit or cannot be linked here (another filesystem); nothing is lost then.
   */
  async adopt(key: string, file: string): Promise<boolean> {
    checkKey(key);
    const hash = this.hash(key);
    if (this.wholeEntry(hash)) return true;
    const size = (await fs.stat(file)).size;
    this.sizes.set(hash, size);
    if (!(await this.reserve(size))) return false;
    const entry: Entry = { name: `${hash}-w-${size}`, hash, start: 0, length: size, objectSize: size, whole: true, pins: 0 };
    try {
      await fs.link(file, this.file(entry.name));
    } catch (e) {
      if (!isAlreadyExists(e)) {
        this.stats.writeFailures++;
        return false;
      }
    } finally {
      this.reserved -= size;
    }
    this.add(entry);
    return true;
  }

  /** True when the object is cached whole (a read of any part of it then fetches nothing). */
  holdsWhole(key: string): boolean {
    return this.wholeEntry(this.hash(key)) !== undefined;
  }

  /** Releases the lock (entries stay for the next open). */
  async close(): Promise<void> {
    await fs.rm(this.lock, { force: true }).catch(() => undefined);
  }

  private hash(key: string): string {
    return createHash('sha256').update(`${this.store.location}\0${key}`).digest('hex').slice(0, 32);
  }

  private file(name: string): string {
    return path.join(this.dir, 'entries', name);
  }

  private wholeEntry(hash: string): Entry | undefined {
    return this.entries.get(`${hash}-w`);
  }

  /** An entry holding all of [start, end) of the object: its whole copy, or that exact range. */
  private covering(hash: string, start: number, end: number): Entry | undefined {
    return this.wholeEntry(hash) ?? this.entries.get(`${hash}-r-${start}-${end - start}`);
  }

  private touch(entry: Entry): void {
    const id = entryId(entry);
    this.entries.delete(id);
    this.entries.set(id, entry);
    // Recency survives a restart through the file's time; a failure only costs order.
    const now = new Date();
    void fs.utimes(this.file(entry.name), now, now).catch(() => undefined);
  }

  /** Runs `fetch` once for every concurrent caller asking for the same thing. */
  private async fetchOnce<T>(id: string, fetch: () => Promise<T>): Promise<T> {
    const pending = this.inFlight.get(id) as Promise<T> | undefined;
    if (pending) {
      const result = await pending;
      return (isFetched(result) ? { ...result, bytes: new Uint8Array(result.bytes) } : result) as T;
    }
    this.stats.misses++;
    const started = fetch().finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, started);
    return started;
  }

  /** Fetches a range and keeps it, when it fits and is not empty; a failure to keep it only costs the cache. */
  private async fetchRange(key: string, hash: string, range: ByteRange): Promise<Fetched> {
    this.stats.fetches++;
    const got = await this.store.get(key, { range });
    this.sizes.set(hash, got.size);
    const start = 'suffix' in range ? got.size - got.bytes.byteLength : Math.min(range.offset, got.size);
    const length = got.bytes.byteLength;
    const fetched: Fetched = { fetched: true, bytes: got.bytes, size: got.size };
    if (length === 0 || !(await this.reserve(length))) return fetched;
    const entry: Entry = { name: `${hash}-r-${start}-${length}-${got.size}`, hash, start, length, objectSize: got.size, whole: false, pins: 0 };
    let kept = true;
    try {
      await publishFile(this.file(entry.name), got.bytes);
    } catch (e) {
      kept = isAlreadyExists(e);
      if (!kept) this.stats.writeFailures++;
    } finally {
      // The reservation becomes the entry's own bytes (or nothing).
      this.reserved -= length;
    }
    if (kept) this.add(entry);
    return fetched;
  }

  private async fetchWhole(key: string, hash: string): Promise<Entry | undefined> {
    this.stats.fetches++;
    const first = await this.store.get(key, { range: { offset: 0, length: WHOLE_CHUNK_BYTES } });
    const size = first.size;
    this.sizes.set(hash, size);
    if (!(await this.reserve(size))) return undefined;
    const entry: Entry = { name: `${hash}-w-${size}`, hash, start: 0, length: size, objectSize: size, whole: true, pins: 0 };
    let file: NewFile | undefined;
    try {
      file = await NewFile.create(this.file(entry.name));
      await file.handle.write(first.bytes);
      let at = first.bytes.byteLength;
      while (at < size) {
        this.stats.fetches++;
        const next = await this.store.get(key, { range: { offset: at, length: Math.min(WHOLE_CHUNK_BYTES, size - at) } });
        if (next.bytes.byteLength === 0) throw new QuiverError('DATA_LOSS', `${key} in ${this.store.location} ended at byte ${at} of ${size}`);
        await file.handle.write(next.bytes);
        at += next.bytes.byteLength;
      }
      await file.publish().catch((e) => {
        if (!isAlreadyExists(e)) throw e;
      });
    } catch (e) {
      await file?.discard();
      throw e;
    } finally {
      this.reserved -= size;
    }
    return this.add(entry);
  }

  private add(entry: Entry): Entry {
    const id = entryId(entry);
    const existing = this.entries.get(id);
    if (existing) return existing;
    this.entries.set(id, entry);
    this.used += entry.length;
    this.sync();
    void this.evict(0);
    return entry;
  }

  /** Makes room for `bytes` more; false when they can never fit. */
  private async reserve(bytes: number): Promise<boolean> {
    if (bytes > this.maxBytes) return false;
    this.reserved += bytes;
    await this.evict(0);
    return true;
  }

  /** Removes least recently used, unpinned entries until used + reserved + extra fits. */
  private async evict(extra: number): Promise<void> {
    const victims: Entry[] = [];
    for (const entry of this.entries.values()) {
      if (this.used + this.reserved + extra <= this.maxBytes) break;
      if (entry.pins > 0) continue;
      victims.push(entry);
      this.entries.delete(entryId(entry));
      this.used -= entry.length;
      this.stats.evictions++;
    }
    this.sync();
    await Promise.all(victims.map((v) => removeQuietly(this.file(v.name))));
  }

  /** The bytes [start, end) of the object from `entry`; undefined when its file is gone or damaged (dropped). */
  private async readEntry(entry: Entry, start: number, end: number): Promise<Uint8Array | undefined> {
    entry.pins++;
    try {
      const fh = await fs.open(this.file(entry.name), 'r');
      try {
        if ((await fh.stat()).size !== entry.length) throw new Error('damaged');
        const out = new Uint8Array(end - start);
        let done = 0;
        while (done < out.length) {
          const { bytesRead } = await fh.read(out, done, out.length - done, start - entry.start + done);
          if (bytesRead === 0) throw new Error('short');
          done += bytesRead;
        }
        this.touch(entry);
        return out;
      } finally {
        await fh.close();
      }
    } catch {
      this.drop(entry);
      return undefined;
    } finally {
      entry.pins--;
    }
  }

  private async intact(entry: Entry): Promise<boolean> {
    const st = await fs.stat(this.file(entry.name)).catch(() => undefined);
    if (st?.size === entry.length) return true;
    this.drop(entry);
    return false;
  }

  private drop(entry: Entry): void {
    if (this.entries.get(entryId(entry)) !== entry) return;
    this.entries.delete(entryId(entry));
    this.used -= entry.length;
    this.sync();
    void removeQuietly(this.file(entry.name));
  }

  private sync(): void {
    this.stats.bytes = this.used;
    this.stats.entries = this.entries.size;
  }

  /** Reads the entries a previous run left, oldest use first; anything else in the folder goes. */
  private async load(): Promise<void> {
    const dir = path.join(this.dir, 'entries');
    const found: { entry: Entry; mtime: number }[] = [];
    for (const name of await fs.readdir(dir)) {
      const m = ENTRY_NAME.exec(name);
      const st = await fs.stat(path.join(dir, name)).catch(() => undefined);
      if (!st) continue;
      const objectSize = m ? Number(m[4]) : 0;
      const whole = m !== null && m[2] === undefined;
      const entry: Entry | undefined = m ? { name, hash: m[1]!, start: whole ? 0 : Number(m[2]), length: whole ? objectSize : Number(m[3]), objectSize, whole, pins: 0 } : undefined;
      if (isTemporaryName(name) || !entry || !st.isFile() || st.size !== entry.length) {
        await removeQuietly(path.join(dir, name));
        continue;
      }
      found.push({ entry, mtime: st.mtimeMs });
    }
    found.sort((a, b) => a.mtime - b.mtime);
    for (const { entry } of found) {
      this.entries.set(entryId(entry), entry);
      this.sizes.set(entry.hash, entry.objectSize);
      this.used += entry.length;
    }
    this.sync();
    await this.evict(0);
  }
}

interface Fetched {
  readonly fetched: true;
  readonly bytes: Uint8Array;
  readonly size: number;
}

const isFetched = (x: unknown): x is Fetched => (x as Fetched | undefined)?.fetched === true;

const entryId = (e: Entry) => (e.whole ? `${e.hash}-w` : `${e.hash}-r-${e.start}-${e.length}`);

/**
 * Takes `lock` for this process: created exclusively with our pid; a lock whose process is gone
 * (a crash) is taken over, one whose process lives is refused.
 */
async function takeLock(lock: string): Promise<void> {
  for (let tries = 0; tries < 3; tries++) {
    try {
      await fs.writeFile(lock, `${process.pid}\n`, { flag: 'wx' });
      return;
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    const pid = Number((await fs.readFile(lock, 'utf8').catch((e) => (isNotFound(e) ? '' : Promise.reject(e)))).trim());
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new QuiverError('FAILED_PRECONDITION', `the disk cache ${path.dirname(lock)} is in use by process ${pid}: give each server its own --cache-dir`);
    }
    if (pid === process.pid) throw new QuiverError('FAILED_PRECONDITION', `the disk cache ${path.dirname(lock)} is already open in this process`);
    await fs.rm(lock, { force: true });
  }
  throw new QuiverError('UNAVAILABLE', `could not take the lock ${lock}`, { retriable: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
