// Compaction: runs of small data files of a table's current version are rewritten into fewer,
// larger files and committed as a new version with operation "compact". The rewrite goes through
// the same FileStager as DoPut, so the format rules are those of writes (Parquet where the schema
// and the batches allow it, else the Arrow IPC stream as stored) and files are cut at the same
// --row-group-rows / --max-buffered-bytes.
//
// Files are merged, record batches are not: every batch keeps its row count, its position and
// its app_metadata, so a DoGet of the compacted version sends exactly what a DoGet of the version
// before it sent (zero-length batches included). Merging batches would have to drop per-batch
// app_metadata and change the batch boundaries quiver promises to keep; fewer files is the gain
// worth having (fewer opens, footers and endpoints), tiny batches are the writer's choice.
//
// Only runs of consecutive small files merge, so row order is kept. The commit takes the table's
// lock and publishes through the coordinator (fenced compare-and-set in a cluster). If writers
// committed while the files were rewritten, the compaction rebases onto the new head when that
// head still begins with the files it rewrote (appends only); otherwise it gives up, removes its
// files, and the next round starts again from the new head.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { inspectMessage, decodeSchema } from '../../arrow/ipc-message.ts';
import { CommitConflictError, CommitOutcomeUnknownError } from '../../coord/coordinator.ts';
import { removeQuietly, syncPath, writeNewFile } from '../../durable-files.ts';
import { schemaBytes, type DataFile, type Manifest } from '../manifest.ts';
import { parquetIneligibility } from '../parquet-eligibility.ts';
import { catalogOf, type TableStore } from '../table-store.ts';
import { FileStager } from '../table-writer.ts';

export interface CompactionOptions {
  /** A data file smaller than this on disk is small. */
  smallFileBytes: number;
  /** Compaction starts when the current version has at least this many small files. */
  minSmallFiles: number;
}

export const COMPACTION_DEFAULTS: CompactionOptions = { smallFileBytes: 32 * 1024 * 1024, minSmallFiles: 8 };

/** Consecutive files [start, end) of the base version that become `files`. */
export interface Rewrite {
  start: number;
  end: number;
  files: DataFile[];
}

export interface RewrittenVersion {
  base: Manifest;
  rewrites: Rewrite[];
}

export type CompactionResult =
  | { compacted: true; version: number; baseVersion: number; rebased: boolean; filesBefore: number; filesAfter: number; filesRewritten: number; filesWritten: number }
  | { compacted: false; reason: string; smallFiles?: number };

/** Runs of consecutive small files, cut so that each run fits one file written by DoPut. */
export function planCompaction(manifest: Manifest, options: CompactionOptions, staging: { rowGroupRows: number; maxBufferedBytes: number }): { runs: Array<[number, number]>; smallFiles: number } {
  const small = manifest.files.map((f) => f.fileBytes < options.smallFileBytes);
  const smallFiles = small.filter(Boolean).length;
  const runs: Array<[number, number]> = [];
  if (smallFiles < options.minSmallFiles) return { runs, smallFiles };
  let start = -1;
  let rows = 0;
  let bytes = 0;
  const close = (end: number) => {
    if (start >= 0 && end - start >= 2) runs.push([start, end]);
    start = -1;
  };
  manifest.files.forEach((f, i) => {
    if (!small[i]) return close(i);
    if (start >= 0 && (rows + f.rows > staging.rowGroupRows || bytes + f.arrowBytes > staging.maxBufferedBytes)) close(i);
    if (start < 0) {
      start = i;
      rows = 0;
      bytes = 0;
    }
    rows += f.rows;
    bytes += f.arrowBytes;
  });
  close(manifest.files.length);
  return { runs, smallFiles };
}

/** Writes the merged files of each run (not yet referenced by any version). */
export async function rewriteRuns(store: TableStore, base: Manifest, runs: Array<[number, number]>, signal?: AbortSignal): Promise<RewrittenVersion> {
  const header = schemaBytes(base);
  const schema = decodeSchema(header);
  const ineligible = parquetIneligibility(schema);
  const dir = store.tableDir(base.table);
  const rewrites: Rewrite[] = [];
  const stagers: FileStager[] = [];
  try {
    for (const [start, end] of runs) {
      const stager = new FileStager(dir, header, schema, ineligible, new Map(), store.staging, store.pool);
      stagers.push(stager);
      for await (const frame of store.readFiles(base, base.files.slice(start, end))) {
        signal?.throwIfAborted();
        const info = inspectMessage(frame.header);
        if (info.kind === 'schema') continue;
        await stager.add({ frame: { header: frame.header, body: frame.body }, info, ...(frame.appMetadata ? { appMetadata: frame.appMetadata } : {}) });
      }
      const files = await stager.finish();
      const before = base.files.slice(start, end).reduce((n, f) => n + f.rows, 0);
      const after = files.reduce((n, f) => n + f.rows, 0);
      if (before !== after) throw new Error(`compaction of table ${JSON.stringify(base.table)} read ${after} rows from files that hold ${before}; nothing was committed`);
      rewrites.push({ start, end, files });
    }
    return { base, rewrites };
  } catch (e) {
    await Promise.all(stagers.map((s) => s.abort()));
    throw e;
  }
}

/** Removes the files a rewrite wrote (it was not committed). */
export async function discardRewrite(store: TableStore, rewritten: RewrittenVersion): Promise<void> {
  const dir = store.tableDir(rewritten.base.table);
  await Promise.all(rewritten.rewrites.flatMap((r) => r.files.map((f) => removeQuietly(path.join(dir, f.path)))));
}

/**
 * Commits a rewrite as version head+1 under the table's lock. Gives up (and removes the
 * rewrite's files) when the head no longer starts with the base version's files.
 */
export async function commitCompaction(store: TableStore, rewritten: RewrittenVersion): Promise<CompactionResult> {
  const { base, rewrites } = rewritten;
  const table = base.table;
  const lock = await store.coordinator.lockTable(table);
  let manifestPath: string | null = null;
  let keepFiles = false;
  try {
    const headEntry = await store.coordinator.head(table);
    const head = headEntry ? await store.snapshot(table, headEntry.version) : null;
    if (!head || !extendsBase(head, base)) {
      const why = !head ? 'the table was dropped' : 'the table was overwritten or compacted';
      return { compacted: false, reason: `${why} while its files were being rewritten (version ${base.version} -> ${head?.version ?? 'none'}); the next round starts from the new head` };
    }
    const files: DataFile[] = [];
    let at = 0;
    for (const r of rewrites) {
      files.push(...base.files.slice(at, r.start), ...r.files);
      at = r.end;
    }
    files.push(...head.files.slice(at));
    const manifest: Manifest = {
      ...head,
      version: head.version + 1,
      parentVersion: head.version,
      operation: 'compact',
      committedAt: new Date().toISOString(),
      files,
      rows: files.reduce((n, f) => n + f.rows, 0),
      arrowBytes: files.reduce((n, f) => n + f.arrowBytes, 0),
      added: { files: rewrites.reduce((n, r) => n + r.files.length, 0), rows: 0 },
    };
    if (manifest.rows !== head.rows) throw new Error(`compaction of table ${JSON.stringify(table)} would change its row count from ${head.rows} to ${manifest.rows}; nothing was committed`);
    const dir = store.tableDir(table);
    manifestPath = `manifests/${String(manifest.version).padStart(20, '0')}-${randomUUID()}.json`;
    await writeNewFile(path.join(dir, manifestPath), JSON.stringify(manifest, null, 1));
    await syncPath(path.join(dir, 'data'));
    await syncPath(path.join(dir, 'manifests'));
    try {
      await store.coordinator.publish(table, head.version, manifestPath, catalogOf(manifest, headEntry?.catalog?.tableId === manifest.tableId ? headEntry.catalog.createdAt : null));
    } catch (e) {
      // An unknown outcome may be committed: its manifest and files stay for orphan collection
      // to judge from the log after the grace period.
      if (e instanceof CommitOutcomeUnknownError) keepFiles = true;
      if (e instanceof CommitConflictError) return { compacted: false, reason: `${e.message}; the next round starts from the new head` };
      throw e;
    }
    keepFiles = true;
    const replaced = rewrites.reduce((n, r) => n + (r.end - r.start), 0);
    return {
      compacted: true,
      version: manifest.version,
      baseVersion: base.version,
      rebased: head.version !== base.version,
      filesBefore: head.files.length,
      filesAfter: files.length,
      filesRewritten: replaced,
      filesWritten: manifest.added.files,
    };
  } finally {
    try {
      if (!keepFiles) {
        if (manifestPath) await removeQuietly(path.join(store.tableDir(table), manifestPath));
        await discardRewrite(store, rewritten);
      }
    } finally {
      await lock.release();
    }
  }
}

/** The head holds the base version's rows first, unchanged (only appends came after it). */
function extendsBase(head: Manifest, base: Manifest): boolean {
  if (head.tableId !== base.tableId || head.schema !== base.schema || head.files.length < base.files.length) return false;
  return base.files.every((f, i) => head.files[i]!.path === f.path);
}

/** Plans, rewrites and commits one table's compaction. */
export async function compactTable(store: TableStore, table: string, options: CompactionOptions, signal?: AbortSignal): Promise<CompactionResult> {
  const base = await store.snapshot(table);
  const { runs, smallFiles } = planCompaction(base, options, store.staging);
  if (smallFiles < options.minSmallFiles) return { compacted: false, reason: `${smallFiles} small files (under ${options.smallFileBytes} bytes), fewer than ${options.minSmallFiles}`, smallFiles };
  if (runs.length === 0) return { compacted: false, reason: `${smallFiles} small files, but no two of them are neighbours that fit one file`, smallFiles };
  const ended = store.writes.begin(table);
  try {
    const rewritten = await rewriteRuns(store, base, runs, signal);
    if (signal?.aborted) {
      await discardRewrite(store, rewritten);
      signal.throwIfAborted();
    }
    return await commitCompaction(store, rewritten);
  } finally {
    ended();
  }
}
