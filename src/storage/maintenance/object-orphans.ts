// Orphan collection in the bucket of a table store on an object store (orphan-gc.ts collects
// the local work root as on any data root, then calls this). The same rule as on a
// filesystem: a table object (data file or manifest) that no retained version references is
// deleted once it is older than the grace period, measured from the later of its creation and
// its release by expiry (release records, object-files.ts: an object's time cannot be reset);
// objects of dropped tables (a directory no listed table owns) go the same way. Multipart
// uploads begun longer ago than the grace period and never completed (a writer that crashed
// mid-upload) are aborted, and release records older than the grace period are deleted.
//
// The bucket is listed before the log is read, so an object listed and then committed is seen
// as referenced; every server uploads a version's objects just before creating its log entry,
// so the grace period is what spares another server's commit in flight.
import { QuiverError } from '../../errors.ts';
import { listAll, type ObjectInfo } from '../../object-store/object-store.ts';
import { tableDirName } from '../../table-names.ts';
import { RELEASED_PREFIX, TABLES_PREFIX, type ObjectFiles } from '../object-files.ts';
import type { TableStore } from '../table-store.ts';
import { referencedPaths, retainedVersions } from './retained-versions.ts';

const MAX_LISTED = 100;

/** orphan-gc.ts's options, as far as the bucket needs them. */
export interface ObjectGcOptions {
  graceMs: number;
  now: number;
  table?: string;
  signal?: AbortSignal;
}

/** The counts of orphan-gc.ts's result that the bucket adds to. */
export interface ObjectGcTally {
  deletedFiles: number;
  deletedBytes: number;
  youngKept: number;
  paths: string[];
  errors: { table: string; error: string }[];
  abortedUploads?: number;
}

export async function collectObjectOrphans(store: TableStore, objects: ObjectFiles, options: ObjectGcOptions, result: ObjectGcTally): Promise<void> {
  const old = (ms: number) => options.now - ms > options.graceMs;
  const only = options.table ? tableDirName(options.table) : null;
  // Listed first: what is committed after this is in the references read below.
  const byDir = new Map<string, ObjectInfo[]>();
  for await (const o of listAll(objects.store, only ? `${TABLES_PREFIX}${only}/` : TABLES_PREFIX)) {
    const rest = o.key.slice(TABLES_PREFIX.length);
    const dir = rest.slice(0, rest.indexOf('/'));
    if (!byDir.has(dir)) byDir.set(dir, []);
    byDir.get(dir)!.push(o);
  }
  const released = new Map<string, number>();
  const records: ObjectInfo[] = [];
  // A record's time is in its key, from the clock of the server that expired (as `now` is);
  // the store's own times are whole seconds.
  const recordedAt = (r: ObjectInfo) => Number(/^(\d{16})-/.exec(r.key.slice(RELEASED_PREFIX.length))?.[1] ?? r.lastModified.getTime());
  for await (const r of listAll(objects.store, RELEASED_PREFIX)) {
    records.push(r);
    try {
      const body = JSON.parse(new TextDecoder().decode((await objects.store.get(r.key)).bytes)) as { dir?: string; files?: string[] };
      for (const f of body.files ?? []) released.set(`${body.dir}/${f}`, Math.max(released.get(`${body.dir}/${f}`) ?? 0, recordedAt(r)));
    } catch (e) {
      if (!(e instanceof SyntaxError) && !(e instanceof QuiverError && e.code === 'NOT_FOUND')) throw e;
    }
  }
  const known = new Map((await store.coordinator.tables()).map((name) => [tableDirName(name), name]));
  if (options.table) known.set(only!, options.table);

  for (const [dir, listed] of byDir) {
    options.signal?.throwIfAborted();
    const table = known.get(dir) ?? null;
    let referenced: Set<string>;
    try {
      referenced = table ? referencedPaths(await retainedVersions(store, table)) : new Set();
    } catch (e) {
      if ((e instanceof QuiverError && e.code !== 'DATA_LOSS') || options.signal?.aborted) throw e;
      result.errors.push({ table: table ?? dir, error: (e as Error).message });
      continue;
    }
    const writingSince = store.writes.since(dir);
    const doomed = listed.filter((o) => !referenced.has(o.key.slice(TABLES_PREFIX.length + dir.length + 1)));
    const ripe = doomed.filter((o) => {
      const since = Math.max(o.lastModified.getTime(), released.get(o.key.slice(TABLES_PREFIX.length)) ?? 0);
      return old(since) && o.lastModified.getTime() < writingSince;
    });
    result.youngKept += doomed.length - ripe.length;
    if (ripe.length === 0) continue;
    await store.coordinator.confirmWriter(`delete orphaned objects of ${table === null ? `directory ${dir}` : `table ${JSON.stringify(table)}`}`);
    for (const o of ripe) {
      options.signal?.throwIfAborted();
      await objects.store.delete(o.key);
      result.deletedFiles++;
      result.deletedBytes += o.size;
      if (result.paths.length < MAX_LISTED) result.paths.push(`${objects.store.location}/${o.key}`);
    }
  }

  // Uploads a crashed writer never completed or aborted.
  for (const u of await objects.store.listUploads(only ? `${TABLES_PREFIX}${only}/` : TABLES_PREFIX)) {
    if (!old(u.initiated.getTime())) continue;
    await store.coordinator.confirmWriter(`abort an abandoned multipart upload of ${u.key}`);
    await objects.store.abortUpload(u.key, u.uploadId);
    result.abortedUploads = (result.abortedUploads ?? 0) + 1;
  }
  if (!only) for (const r of records) if (old(recordedAt(r))) await objects.store.delete(r.key);
}
