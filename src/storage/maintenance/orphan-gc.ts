// Orphan collection: data files and manifests that no retained version references (temporary
// files of publications a crash interrupted among them), the leftovers of drops (`.dropped-*`)
// and temporary files in the local coordinator's log directories, are deleted once they are older than the grace period (by
// mtime). The grace period is what protects work whose files are not referenced yet: a DoPut
// still staging, a commit between writing its manifest and publishing it, and a commit whose
// outcome is unknown (CommitOutcomeUnknownError keeps its files; if the log holds it, they are
// referenced by then). Writes under way in this process are spared whatever their age
// (store.writes), so the grace period matters for the files of other processes: a deposed
// leader's, or those of a process that crashed mid-write. Expiry resets the
// mtime of the files it releases, so a DoGet of a version that just expired reads to the end.
//
// A table's directory is listed before its log is read: a file listed and then committed is
// seen as referenced. Nothing is deleted unless the ensemble confirms this replica still leads
// (confirmWriter) right before; a table whose retained manifests cannot all be read is skipped.
import fs from 'node:fs/promises';
import path from 'node:path';
import { isNotFound, isTemporaryName } from '../../durable-files.ts';
import { QuiverError } from '../../errors.ts';
import { isCaseSafeDirName, tableDirName } from '../../table-names.ts';
import { TABLE_SUBDIRS, isDroppedDir } from '../layout.ts';
import type { TableStore } from '../table-store.ts';
import { referencedPaths, retainedVersions } from './retained-versions.ts';
import { collectObjectOrphans } from './object-orphans.ts';

export interface OrphanGcOptions {
  graceMs: number;
  now: number;
  /** Only this table's directory; all of the data root when absent. */
  table?: string;
  /** Stop between deletions (leadership lost, shutdown). */
  signal?: AbortSignal;
}

export interface OrphanGcResult {
  deletedFiles: number;
  deletedBytes: number;
  /** `.dropped-*` directories removed. */
  deletedDirs: number;
  /** Unreferenced files kept because they are younger than the grace period. */
  youngKept: number;
  /** What was deleted, relative to the data root (the first 100; objects as s3://… keys). */
  paths: string[];
  /** Multipart uploads older than the grace period aborted (tables on an object store). */
  abortedUploads?: number;
  errors: { table: string; error: string }[];
}

const MAX_LISTED = 100;

export async function collectOrphans(store: TableStore, options: OrphanGcOptions): Promise<OrphanGcResult> {
  const result: OrphanGcResult = { deletedFiles: 0, deletedBytes: 0, deletedDirs: 0, youngKept: 0, paths: [], errors: [] };
  const known = new Map((await store.coordinator.tables()).map((name) => [tableDirName(name), name]));
  const dirs = options.table ? [tableDirName(options.table)] : await listDir(store.layout.tablesRoot);
  if (options.table) known.set(tableDirName(options.table), options.table);
  const old = (mtimeMs: number) => options.now - mtimeMs > options.graceMs;

  for (const dir of dirs) {
    options.signal?.throwIfAborted();
    if (isDroppedDir(dir)) {
      await removeDroppedDir(store, store.layout.tableDirNamed(dir), old, result);
      continue;
    }
    if (dir.startsWith('.')) continue;
    // A directory under an older name (a data root not yet migrated, see src/server/table-dir-migration.ts) is never an orphan.
    if (!isCaseSafeDirName(dir)) continue;
    const name = known.get(dir) ?? null;
    try {
      await collectTableDir(store, dir, name, old, options, result);
    } catch (e) {
      // Leadership and ZooKeeper trouble end the run; damage to one table (DATA_LOSS) only skips it.
      if ((e instanceof QuiverError && e.code !== 'DATA_LOSS') || options.signal?.aborted) throw e;
      result.errors.push({ table: name ?? dir, error: (e as Error).message });
    }
  }
  // The local coordinator's own drop leftovers (data/log/.dropped-*); a cluster has no log dir.
  if (!options.table) {
    for (const dir of await listDir(store.layout.logRoot)) {
      if (isDroppedDir(dir)) await removeDroppedDir(store, store.layout.logDirNamed(dir), old, result);
      else if (!dir.startsWith('.')) await removeTemporaryFiles(store, store.layout.logDirNamed(dir), old, result);
    }
  }
  // Tables on an object store: the work root above, then the bucket (object-orphans.ts).
  if (store.objects) await collectObjectOrphans(store, store.objects, options, result);
  return result;
}

async function collectTableDir(store: TableStore, dirName: string, table: string | null, old: (mtimeMs: number) => boolean, options: OrphanGcOptions, result: OrphanGcResult): Promise<void> {
  // Listed first, so that anything committed after this point is in the references below.
  const files: { rel: string; size: number; mtimeMs: number }[] = [];
  for (const sub of TABLE_SUBDIRS) {
    for (const name of await listDir(store.layout.fileNamed(dirName, sub))) {
      const stat = await fs.lstat(store.layout.fileNamed(dirName, `${sub}/${name}`)).catch((e) => (isNotFound(e) ? null : Promise.reject(e)));
      if (stat?.isFile()) files.push({ rel: `${sub}/${name}`, size: stat.size, mtimeMs: stat.mtimeMs });
    }
  }
  if (files.length === 0) return;
  // Taken after the listing: a write that made a listed file is either still under way now (and
  // its files are spared) or ended before now, committed (so the log read below has it) or not.
  const writingSince = store.writes.since(dirName);
  if (table === null && (await hasLocalLog(store, dirName))) {
    throw new Error(`directory ${dirName} has a version log but the coordinator does not list its table; left alone`);
  }
  const referenced = table ? referencedPaths(await retainedVersions(store, table)) : new Set<string>();
  const doomed = files.filter((f) => !referenced.has(f.rel));
  const ripe = doomed.filter((f) => old(f.mtimeMs) && f.mtimeMs < writingSince);
  result.youngKept += doomed.length - ripe.length;
  if (ripe.length === 0) return;
  await store.coordinator.confirmWriter(`delete orphaned files of ${table === null ? `directory ${dirName}` : `table ${JSON.stringify(table)}`}`);
  for (const f of ripe) {
    options.signal?.throwIfAborted();
    try {
      await fs.rm(store.layout.fileNamed(dirName, f.rel));
    } catch (e) {
      if (isNotFound(e)) continue;
      throw e;
    }
    result.deletedFiles++;
    result.deletedBytes += f.size;
    if (result.paths.length < MAX_LISTED) result.paths.push(store.layout.relative(store.layout.fileNamed(dirName, f.rel)));
  }
}

async function removeDroppedDir(store: TableStore, dir: string, old: (mtimeMs: number) => boolean, result: OrphanGcResult): Promise<void> {
  const stat = await fs.stat(dir).catch(() => null);
  if (!stat) return;
  if (!old(stat.mtimeMs)) {
    result.youngKept++;
    return;
  }
  await store.coordinator.confirmWriter(`delete the leftovers of a dropped table (${path.basename(dir)})`);
  await fs.rm(dir, { recursive: true, force: true });
  result.deletedDirs++;
  if (result.paths.length < MAX_LISTED) result.paths.push(store.layout.relative(dir));
}

/** Temporary files a crash left in a log directory (a log entry or table.json never published). */
async function removeTemporaryFiles(store: TableStore, dir: string, old: (mtimeMs: number) => boolean, result: OrphanGcResult): Promise<void> {
  for (const name of (await listDir(dir)).filter(isTemporaryName)) {
    const file = path.join(dir, name);
    const stat = await fs.lstat(file).catch(() => null);
    if (!stat?.isFile()) continue;
    if (!old(stat.mtimeMs)) {
      result.youngKept++;
      continue;
    }
    await store.coordinator.confirmWriter(`delete a temporary file of the version log (${name})`);
    await fs.rm(file, { force: true });
    result.deletedFiles++;
    result.deletedBytes += stat.size;
    if (result.paths.length < MAX_LISTED) result.paths.push(store.layout.relative(file));
  }
}

/**
 * The local coordinator keeps a table's log under the same directory name: a directory with log
 * entries but no listed table (a log whose table.json was lost) is not an orphan.
 */
async function hasLocalLog(store: TableStore, dirName: string): Promise<boolean> {
  return (await listDir(store.layout.logDirNamed(dirName))).some((n) => /^\d+\.json$/.test(n));
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
}
