// Conversion: the Arrow IPC files a DoPut landed (file-stager.ts, land mode) are rewritten as
// Parquet, the format of record for settled data, and committed as a new version with operation
// "convert". DoPut lands IPC because parquet-wasm encodes at about 90 MB/s per core while IPC
// files are written at disk speed (docs/performance.md); the encoding moves here, off the
// acknowledged path, throttled, on the leader only (it runs inside the maintenance runner).
//
// Exactness: only tables whose schema Parquet holds exactly (parquet-eligibility.ts) are
// converted, and each IPC file is rewritten on its own through the same FileStager compaction
// uses, which keeps every record batch's row count, position and app_metadata. A DoGet of the
// converted version therefore sends what the version before it sent. A file whose rewrite is not
// all Parquet (bodies compressed by an older quiver, a file of zero-length batches only) is left
// as it is and not tried again by this process.
//
// Safety: the Parquet files get fresh names and are published before the commit names them; the
// commit goes through the one commit path with the 'give-up' policy and rebases onto appends
// that came meanwhile, exactly as compaction does. A crash at any point leaves the version before
// intact (the new files are orphans for orphan-gc), and the next round finds the same IPC files
// and starts again. The IPC files stay on disk for as long as a retained version names them.
import { inspectMessage } from '../../arrow/ipc-message.ts';
import type { FileStager } from '../file-stager.ts';
import { schemaBytes, type DataFile, type Manifest } from '../manifest.ts';
import { convertibleFiles, landedOf, markUnconvertible } from '../landing-limits.ts';
import type { TableStore } from '../table-store.ts';
import { extendsBase } from './compaction.ts';

export interface ConversionSettings {
  /** Read at each file: a pause stops the round after the files under way (they are committed). */
  paused(): boolean;
  /** Arrow bytes per second to stay under, averaged over the round; 0: no limit. */
  rateBytes(): number;
}

/** One round converts at most this many Arrow bytes, so that progress is committed regularly. */
export const ROUND_ARROW_BYTES = 1024 * 1024 * 1024;

export type ConversionResult =
  | { converted: true; version: number; baseVersion: number; rebased: boolean; filesConverted: number; filesWritten: number; arrowBytes: number; seconds: number; remainingFiles: number; remainingBytes: number }
  | { converted: false; reason: string; remainingFiles: number; remainingBytes: number };

interface FileRewrite {
  index: number;
  files: DataFile[];
}

/** Plans, rewrites and commits one round of a table's conversion. */
export async function convertTable(store: TableStore, table: string, settings: ConversionSettings, signal?: AbortSignal): Promise<ConversionResult> {
  const base = await store.snapshot(table);
  const candidates = convertibleFiles(base);
  const remaining = landedOf(base);
  store.landed.set(table, remaining.fileBytes);
  if (candidates.length === 0) return { converted: false, reason: 'no Arrow IPC files to convert', remainingFiles: 0, remainingBytes: 0 };
  if (settings.paused()) return { converted: false, reason: 'conversion is paused (setting convertPaused)', remainingFiles: remaining.files, remainingBytes: remaining.fileBytes };
  const round: number[] = [];
  let roundBytes = 0;
  for (const i of candidates) {
    if (round.length > 0 && roundBytes + base.files[i]!.arrowBytes > ROUND_ARROW_BYTES) break;
    round.push(i);
    roundBytes += base.files[i]!.arrowBytes;
  }

  const started = Date.now();
  const pending = await store.commits.begin(table);
  const rewrites: FileRewrite[] = [];
  const header = schemaBytes(base);
  let done = 0;
  let bytesDone = 0;
  let stopped = false;
  try {
    // One file per worker at a time: each file's Parquet encoding runs on its own worker.
    const next = async (): Promise<void> => {
      while (!stopped && done < round.length) {
        if (settings.paused()) {
          stopped = true;
          return;
        }
        signal?.throwIfAborted();
        const index = round[done++]!;
        const file = base.files[index]!;
        await throttle(settings.rateBytes(), started, bytesDone, signal);
        const files = await rewriteFile(store, base, file, header, signal);
        bytesDone += file.arrowBytes;
        if (files.every((f) => f.format === 'parquet')) {
          pending.adopt(...files);
          rewrites.push({ index, files });
        } else {
          markUnconvertible(base, file);
          await store.commits.remove(table, files);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, store.pool.size) }, next));
  } catch (e) {
    await pending.abandon();
    throw e;
  }
  if (signal?.aborted) {
    await pending.abandon();
    signal.throwIfAborted();
  }
  if (rewrites.length === 0) {
    await pending.abandon();
    return { converted: false, reason: stopped ? 'conversion was paused (setting convertPaused)' : 'no file of this round could be written as Parquet', remainingFiles: remaining.files, remainingBytes: remaining.fileBytes };
  }
  rewrites.sort((a, b) => a.index - b.index);

  let head: Manifest | null = null;
  const outcome = await pending.commit((current) => {
    head = current;
    if (!current || !extendsBase(current, base)) {
      const why = !current ? 'the table was dropped' : 'the table was overwritten or compacted';
      return { giveUp: `${why} while its files were being converted (version ${base.version} -> ${current?.version ?? 'none'})` };
    }
    const replaced = new Map(rewrites.map((r) => [r.index, r.files]));
    const files = current.files.flatMap((f, i) => replaced.get(i) ?? [f]);
    const rows = files.reduce((n, f) => n + f.rows, 0);
    if (rows !== current.rows) throw new Error(`conversion of table ${JSON.stringify(table)} would change its row count from ${current.rows} to ${rows}; nothing was committed`);
    return { operation: 'convert', schema: schemaBytes(current), files, added: { files: rewrites.reduce((n, r) => n + r.files.length, 0), rows: 0 } };
  }, 'give-up');
  if (!outcome.committed) return { converted: false, reason: `${outcome.reason}; the next round starts from the new head`, remainingFiles: remaining.files, remainingBytes: remaining.fileBytes };
  const after = landedOf(outcome.manifest);
  store.landed.set(table, after.fileBytes);
  return {
    converted: true,
    version: outcome.manifest.version,
    baseVersion: base.version,
    rebased: (head as Manifest | null)?.version !== base.version,
    filesConverted: rewrites.length,
    filesWritten: outcome.manifest.added.files,
    arrowBytes: rewrites.reduce((n, r) => n + base.files[r.index]!.arrowBytes, 0),
    seconds: (Date.now() - started) / 1000,
    remainingFiles: after.files,
    remainingBytes: after.fileBytes,
  };
}

/** One IPC file's batches through a settling stager: Parquet files, not yet referenced. */
async function rewriteFile(store: TableStore, base: Manifest, file: DataFile, header: Uint8Array, signal?: AbortSignal): Promise<DataFile[]> {
  const stager: FileStager = store.writer.stager(base.table, header);
  try {
    for await (const frame of store.readFile(base, file)) {
      signal?.throwIfAborted();
      const info = inspectMessage(frame.header);
      if (info.kind === 'schema') continue;
      await stager.add({ frame: { header: frame.header, body: frame.body }, info, ...(frame.appMetadata ? { appMetadata: frame.appMetadata } : {}) });
    }
    const files = await stager.finish();
    const rows = files.reduce((n, f) => n + f.rows, 0);
    if (rows !== file.rows) throw new Error(`conversion of ${file.path} of table ${JSON.stringify(base.table)} read ${rows} rows from a file that holds ${file.rows}; nothing was committed`);
    return files;
  } catch (e) {
    await stager.abort();
    throw e;
  }
}

/** Waits until `bytesDone` Arrow bytes since `started` are within `rate` bytes per second. */
async function throttle(rate: number, started: number, bytesDone: number, signal?: AbortSignal): Promise<void> {
  if (rate <= 0) return;
  const due = started + (bytesDone / rate) * 1000 - Date.now();
  if (due <= 0) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(done, due);
    function done() {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal!.reason);
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}
