// Local copies of a bucket's data files for readers that can only open a path: DuckDB, behind
// Flight SQL, reads the files of the versions a query pins, and may read only under the work
// root's tables/ directory (allowed_directories). Each pinned file gets a name there,
// tables/.sql-copies/<hash of key>.<ext>, a hard link to the file as ObjectFiles.open gives it:
// the staged file, the disk cache's whole copy (held pinned, so the cache's bound still counts
// it and eviction passes it by) or a download of its own. The link is what keeps the bytes, so a
// staged file settled into the cache, or a cache entry dropped, cannot take them from a query.
//
// The SQL layer has no end-of-query call into storage, so a copy is held by a lease: renewed
// each time a query pins it (GetFlightInfo plans, DoGet plans again from the ticket), and kept
// past its lease while this process has the file open (Linux: /proc/self/fd), which is how a
// running scan holds it; the files of one version go together, so a scan that has moved to the
// next file keeps the rest. The names are stable, so a plan parked between GetFlightInfo and
// DoGet (keyed by its files' paths) is found again. Links a previous run left are removed when
// the store opens.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isAlreadyExists, removeQuietly } from '../durable-files.ts';
import { QuiverError } from '../errors.ts';

/** Where copies come from: ObjectFiles (a file local while the opener holds it, fetched if need be). */
export interface CopySource {
  key(table: string, rel: string): string;
  open(table: string, rel: string): Promise<{ readonly path: string; release(): Promise<void> }>;
}
type OpenedFile = Awaited<ReturnType<CopySource['open']>>;

/** How long a pinned copy is kept after the last query pinned it (and no file of its group is open). */
export const SQL_COPY_LEASE_MS = 60_000;
/** Files fetched at once for one pin. */
const FETCH_CONCURRENCY = 4;
export const SQL_COPIES_DIR = '.sql-copies';

interface Copy {
  readonly key: string;
  readonly link: string;
  readonly opened: OpenedFile;
  leaseUntil: number;
  /** Copies pinned together (one version's files): any of them open keeps them all. */
  group: Set<Copy>;
  released: boolean;
}

export class SqlCopies {
  private readonly copies = new Map<string, Promise<Copy>>();
  private readonly dir: string;
  private readonly prepared: Promise<void>;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly files: CopySource,
    tablesRoot: string,
    private readonly leaseMs = SQL_COPY_LEASE_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.dir = path.join(tablesRoot, SQL_COPIES_DIR);
    // Links a previous run left (it crashed, or stopped with copies held) hold disk the cache no longer counts.
    this.prepared = fs.rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
  }

  /** Local paths of `rels` of `table` (in order), readable until their lease runs out unused. */
  async pin(table: string, rels: string[]): Promise<string[]> {
    await this.prepared;
    await fs.mkdir(this.dir, { recursive: true });
    const out = new Array<Copy>(rels.length);
    let next = 0;
    const lane = async () => {
      while (next < rels.length) {
        const i = next++;
        let c: Copy;
        // A copy released by a sweep while this pin waited is fetched again.
        do c = await this.copyOf(table, rels[i]!);
        while (c.released);
        c.leaseUntil = Math.max(c.leaseUntil, this.now() + this.leaseMs);
        out[i] = c;
      }
    };
    await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, rels.length) }, lane));
    const group = new Set(out);
    for (const c of out) for (const other of c.group) group.add(other);
    for (const c of group) c.group = group;
    this.schedule();
    return out.map((c) => c.link);
  }

  /** Copies held now (for tests and the status of the cache). */
  get held(): number {
    return this.copies.size;
  }

  /** Releases every copy (server shutdown). */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const all = [...this.copies.values()];
    this.copies.clear();
    await Promise.all(all.map(async (p) => {
      const c = await p.catch(() => undefined);
      if (c) await this.release(c);
    }));
  }

  private copyOf(table: string, rel: string): Promise<Copy> {
    const key = this.files.key(table, rel);
    let found = this.copies.get(key);
    if (!found) {
      found = this.fetch(table, rel, key);
      this.copies.set(key, found);
      found.catch(() => this.copies.delete(key));
    }
    return found;
  }

  private async fetch(table: string, rel: string, key: string): Promise<Copy> {
    let opened: OpenedFile;
    try {
      opened = await this.files.open(table, rel);
    } catch (e) {
      if (!(e instanceof QuiverError && e.code === 'NOT_FOUND')) throw e;
      throw new QuiverError('DATA_LOSS', `data file ${rel} of table ${JSON.stringify(table)} is missing from the object store; restore it from a backup or query another version`, { cause: e });
    }
    const hash = createHash('sha256').update(key).digest('hex').slice(0, 32);
    const link = path.join(this.dir, `${hash}${path.extname(rel)}`);
    try {
      await fs.link(opened.path, link).catch(async (e) => {
        if (isAlreadyExists(e)) return;
        // Another filesystem (a --cache-dir spanning mounts): a copy of its own.
        if ((e as NodeJS.ErrnoException).code === 'EXDEV') await fs.copyFile(opened.path, link);
        else throw e;
      });
    } catch (e) {
      await opened.release();
      throw e;
    }
    const copy: Copy = { key, link, opened, leaseUntil: 0, group: new Set(), released: false };
    copy.group.add(copy);
    return copy;
  }

  private schedule(): void {
    if (this.timer || this.copies.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sweep().finally(() => this.schedule());
    }, Math.max(1000, Math.floor(this.leaseMs / 4))).unref();
  }

  /**
   * Releases the copies whose group's lease ran out and none of whose files this process has
   * open (the timer calls it; a test may too).
   */
  async sweep(): Promise<void> {
    const now = this.now();
    const open = await openFiles();
    const settled: Copy[] = [];
    for (const p of this.copies.values()) {
      const c = await p.catch(() => undefined);
      if (c) settled.push(c);
    }
    for (const c of settled) {
      if (c.leaseUntil > now || [...c.group].some((g) => g.leaseUntil > now)) continue;
      if (open !== null && [...c.group].some((g) => open.has(g.link))) {
        // A scan is reading the group: its files stay until it has done.
        for (const g of c.group) g.leaseUntil = now + this.leaseMs;
        continue;
      }
      this.copies.delete(c.key);
      await this.release(c);
    }
  }

  private async release(c: Copy): Promise<void> {
    c.released = true;
    c.group.delete(c);
    await removeQuietly(c.link);
    await c.opened.release();
  }
}

/** The files this process has open (Linux); null when that cannot be told (then the lease alone decides). */
async function openFiles(): Promise<Set<string> | null> {
  let fds: string[];
  try {
    fds = await fs.readdir('/proc/self/fd');
  } catch {
    return null;
  }
  const out = new Set<string>();
  await Promise.all(fds.map(async (fd) => {
    const target = await fs.readlink(`/proc/self/fd/${fd}`).catch(() => undefined);
    if (target) out.add(target);
  }));
  return out;
}
