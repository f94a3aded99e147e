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
// Only runs of consecutive small files merge, so row order is kept. The commit goes through the
// one commit path (commit.ts: the table's lock, a fenced compare-and-set in a cluster). If
// writers committed while the files were rewritten, the compaction rebases onto the new head
// when that head still begins with the files it rewrote (appends only); otherwise it gives up,
// its files are removed, and the next round starts again from the new head.
import { inspectMessage } from '../../arrow/ipc-message.ts';
import type { PendingCommit } from '../commit.ts';
import type { FileStager } from '../file-stager.ts';
import { schemaBytes, type DataFile, type Manifest } from '../manifest.ts';
import type { TableStore } from '../table-store.ts';

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
  /** The commit the rewrite's files belong to: they count as a write in flight until it ends. */
  pending: PendingCommit;
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
  const pending = await store.commits.begin(base.table);
  const rewrites: Rewrite[] = [];
  const stagers: FileStager[] = [];
  try {
    for (const [start, end] of runs) {
      const stager = store.writer.stager(base.table, header);
      stagers.push(stager);
      for await (const frame of store.readFiles(base, base.files.slice(start, end))) {
        signal?.throwIfAborted();
        const info = inspectMessage(frame.header);
        if (info.kind === 'schema') continue;
        await stager.add({ frame: { header: frame.header, body: frame.body }, info, ...(frame.appMetadata ? { appMetadata: frame.appMetadata } : {}) });
      }
      const files = await stager.finish();
      pending.adopt(...files);
      const before = base.files.slice(start, end).reduce((n, f) => n + f.rows, 0);
      const after = files.reduce((n, f) => n + f.rows, 0);
      if (before !== after) throw new Error(`compaction of table ${JSON.stringify(base.table)} read ${after} rows from files that hold ${before}; nothing was committed`);
      rewrites.push({ start, end, files });
    }
    return { base, rewrites, pending };
  } catch (e) {
    await Promise.all(stagers.map((s) => s.abort()));
    await pending.abandon();
    throw e;
  }
}

/** Removes the files a rewrite wrote (it was not committed). */
export async function discardRewrite(rewritten: RewrittenVersion): Promise<void> {
  await rewritten.pending.abandon();
}

/**
 * Commits a rewrite as version head+1 through the commit path. Rebases onto appends that came
 * meanwhile; gives up (and the rewrite's files are removed) when the head no longer starts with
 * the base version's files, or when another commit wins the compare-and-set.
 */
export async function commitCompaction(rewritten: RewrittenVersion): Promise<CompactionResult> {
  const { base, rewrites } = rewritten;
  let head: Manifest | null = null;
  const outcome = await rewritten.pending.commit((current) => {
    head = current;
    if (!current || !extendsBase(current, base)) {
      const why = !current ? 'the table was dropped' : 'the table was overwritten or compacted';
      return { giveUp: `${why} while its files were being rewritten (version ${base.version} -> ${current?.version ?? 'none'})` };
    }
    const files: DataFile[] = [];
    let at = 0;
    for (const r of rewrites) {
      files.push(...base.files.slice(at, r.start), ...r.files);
      at = r.end;
    }
    files.push(...current.files.slice(at));
    const rows = files.reduce((n, f) => n + f.rows, 0);
    if (rows !== current.rows) throw new Error(`compaction of table ${JSON.stringify(base.table)} would change its row count from ${current.rows} to ${rows}; nothing was committed`);
    return { operation: 'compact', schema: schemaBytes(current), files, added: { files: rewrites.reduce((n, r) => n + r.files.length, 0), rows: 0 } };
  }, 'give-up');
  if (!outcome.committed) return { compacted: false, reason: `${outcome.reason}; the next round starts from the new head` };
  const before = head! as Manifest;
  return {
    compacted: true,
    version: outcome.manifest.version,
    baseVersion: base.version,
    rebased: before.version !== base.version,
    filesBefore: before.files.length,
    filesAfter: outcome.manifest.files.length,
    filesRewritten: rewrites.reduce((n, r) => n + (r.end - r.start), 0),
    filesWritten: outcome.manifest.added.files,
  };
}

/** The head holds the base version's rows first, unchanged (only appends came after it); conversion rebases by it too. */
export function extendsBase(head: Manifest, base: Manifest): boolean {
  if (head.tableId !== base.tableId || head.schema !== base.schema || head.files.length < base.files.length) return false;
  return base.files.every((f, i) => head.files[i]!.path === f.path);
}

/** Plans, rewrites and commits one table's compaction. */
export async function compactTable(store: TableStore, table: string, options: CompactionOptions, signal?: AbortSignal): Promise<CompactionResult> {
  const base = await store.snapshot(table);
  const { runs, smallFiles } = planCompaction(base, options, store.staging);
  if (smallFiles < options.minSmallFiles) return { compacted: false, reason: `${smallFiles} small files (under ${options.smallFileBytes} bytes), fewer than ${options.minSmallFiles}`, smallFiles };
  if (runs.length === 0) return { compacted: false, reason: `${smallFiles} small files, but no two of them are neighbours that fit one file`, smallFiles };
  const rewritten = await rewriteRuns(store, base, runs, signal);
  if (signal?.aborted) {
    await discardRewrite(rewritten);
    signal.throwIfAborted();
  }
  return commitCompaction(rewritten);
}
