// Adding existing Parquet files to a table as one commit. Files must sit inside the configured
// import directory. Each is opened once, and everything after that works from that descriptor:
// its bytes are copied into the table first, and the checks (footer, schema, codecs, and a decode
// of every row group unless the caller trusts the footers) read the copy, which only quiver can
// write. So the file committed is exactly the file checked: swapping or rewriting the source
// between check and copy changes nothing. The caller's checkWritable runs before each step, so
// an import under way stops at its next step once the server becomes read-only.
import fs from 'node:fs/promises';
import path from 'node:path';
import { constants } from 'node:fs';
import { decodeSchema } from '../arrow/ipc-message.ts';
import { schemaMismatch } from '../arrow/schema-compat.ts';
import { QuiverError, invalidArgument } from '../errors.ts';
import { publishCopy, within } from '../durable-files.ts';
import { writePlan, type WriteMode } from './commit.ts';
import { newDataFilePath } from './layout.ts';
import type { DataFile, Manifest } from './manifest.ts';
import { readParquetFooter, verifyParquetReadable, type ParquetFooter } from './parquet-files.ts';
import { ParquetWorkerCrash } from './parquet-pool.ts';
import type { TableStore } from './table-store.ts';

export interface ImportRequest {
  table: string;
  mode: WriteMode;
  /** Paths relative to the import directory (or absolute paths inside it). */
  files: string[];
  /** Decode every row group once before committing (default); false trusts the footers. */
  verify: boolean;
}

export interface ImportOptions {
  /** Throws when the import must stop now (the server became read-only); called before each step. */
  checkWritable?: () => void;
}

interface Source {
  name: string;
  handle: fs.FileHandle;
}

export async function importParquet(store: TableStore, importRoot: string | undefined, req: ImportRequest, options: ImportOptions = {}): Promise<Manifest> {
  if (!importRoot) throw new QuiverError('FAILED_PRECONDITION', 'this server has no import directory: start it with --import-dir DIR and put the Parquet files there');
  if (req.files.length === 0) throw invalidArgument('import needs at least one file');
  const step = () => options.checkWritable?.();
  const root = await fs.realpath(importRoot);
  const sources: Source[] = [];
  try {
    for (const f of req.files) sources.push(await openInside(root, f));
    for (const s of sources) await checkMagic(s);
    step();
    return await copyCheckCommit(store, req, sources, step);
  } finally {
    await Promise.all(sources.map((s) => s.handle.close().catch(() => undefined)));
  }
}

async function copyCheckCommit(store: TableStore, req: ImportRequest, sources: Source[], step: () => void): Promise<Manifest> {
  const pending = await store.commits.begin(req.table);
  try {
    const files: DataFile[] = [];
    for (const source of sources) {
      step();
      const file: DataFile = { path: newDataFilePath('parquet'), format: 'parquet', rows: 0, fileBytes: 0, arrowBytes: 0, batches: null, columns: [] };
      // Adopted before it exists, so that abandoning the commit removes it whatever happens.
      pending.adopt(file);
      const target = store.layout.file(req.table, file.path);
      file.fileBytes = await publishCopy(source.handle, target);
      files.push(file);
    }
    const footers: ParquetFooter[] = [];
    for (const [i, file] of files.entries()) {
      step();
      const copy = store.layout.file(req.table, file.path);
      try {
        const footer = await readParquetFooter(store.pool, copy);
        if (req.verify) await verifyParquetReadable(store.pool, copy);
        footers.push(footer);
      } catch (e) {
        throw invalidArgument(`cannot import ${sources[i]!.name}: ${reason(e)}`);
      }
    }
    const schemaHeader = footers[0]!.schemaHeader;
    const schema = decodeSchema(schemaHeader);
    footers.forEach((f, i) => {
      const mismatch = schemaMismatch(schema, decodeSchema(f.schemaHeader));
      if (mismatch) throw invalidArgument(`cannot import ${req.files[i]} with ${req.files[0]}: ${mismatch}`);
    });
    files.forEach((file, i) => {
      const footer = footers[i]!;
      file.rows = footer.rowGroups.reduce((a, b) => a + b, 0);
      // Arrow sizes are unknown without decoding: Parquet's uncompressed sizes stand in.
      file.arrowBytes = Object.values(footer.columnBytes).reduce((a, b) => a + b, 0);
      file.columns = schema.fields.map((f) => ({ name: f.name, nullCount: null, arrowBytes: footer.columnBytes[f.name] ?? 0 }));
    });
    // The commit checks again against the head it follows.
    const { tableHeader } = await store.commits.target(req.table, req.mode, schemaHeader, schema);
    step();
    const outcome = await pending.commit(writePlan(req.mode, tableHeader), 'fail');
    if (!outcome.committed) throw new Error(`a write plan gave up: ${outcome.reason}`);
    return outcome.manifest;
  } catch (e) {
    await pending.abandon();
    throw e;
  }
}

/**
 * Opens `file` once, inside the import directory. Symbolic links are resolved first and the
 * result must be inside; the open refuses a link put in place of the file meanwhile
 * (O_NOFOLLOW), and the descriptor's own path (Linux's /proc/self/fd; elsewhere, a second look
 * at the path with the same inode) must be inside too, so that no directory swapped for a link
 * can lead it outside. Which file inside it got is what the import then copies and checks.
 */
async function openInside(root: string, file: string, attempts = 3): Promise<Source> {
  let real: string;
  try {
    real = await fs.realpath(path.resolve(root, file));
  } catch {
    throw new QuiverError('NOT_FOUND', `cannot import ${file}: no such file in the import directory`);
  }
  const outside = () => new QuiverError('PERMISSION_DENIED', `cannot import ${file}: only files inside the server's import directory can be imported`);
  if (!within(root, real)) throw outside();
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    if (attempts > 1) return openInside(root, file, attempts - 1);
    throw new QuiverError('FAILED_PRECONDITION', `cannot import ${file}: it changed while it was being opened (${(e as NodeJS.ErrnoException).code ?? e}); send the import again`);
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) throw invalidArgument(`cannot import ${file}: not a regular file`);
    const where = await fs.readlink(`/proc/self/fd/${handle.fd}`).catch(() => null);
    if (where !== null) {
      if (!within(root, where)) throw outside();
    } else {
      const again = await fs.stat(real).catch(() => null);
      if (!again || again.dev !== opened.dev || again.ino !== opened.ino) {
        await handle.close();
        if (attempts > 1) return openInside(root, file, attempts - 1);
        throw new QuiverError('FAILED_PRECONDITION', `cannot import ${file}: it was replaced while it was being opened; send the import again`);
      }
    }
  } catch (e) {
    await handle.close().catch(() => undefined);
    throw e;
  }
  return { name: path.relative(root, real), handle };
}

/** Parquet's "PAR1" at both ends, read from the descriptor: most wrong files are refused before any copy. */
async function checkMagic(s: Source): Promise<void> {
  const size = (await s.handle.stat()).size;
  const head = Buffer.alloc(4);
  const tail = Buffer.alloc(4);
  if (size >= 12) {
    await s.handle.read(head, 0, 4, 0);
    await s.handle.read(tail, 0, 4, size - 4);
  }
  if (tail.toString('latin1') === 'PARE') throw invalidArgument(`cannot import ${s.name}: it is encrypted, which this server does not support (PARE magic)`);
  if (head.toString('latin1') !== 'PAR1' || tail.toString('latin1') !== 'PAR1') throw invalidArgument(`cannot import ${s.name}: it is not a readable Parquet file (no PAR1 magic at its start and end)`);
}

function reason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof ParquetWorkerCrash) return `decoding it crashed the Parquet reader (arrow-rs), so it is corrupt or uses a layout the reader cannot handle (${message})`;
  if (/encrypt|PARE/i.test(message)) return `it is encrypted, which this server does not support (${message})`;
  if (/magic|footer|corrupt|EOF|out of range|Unable to open/i.test(message)) return `it is not a readable Parquet file (${message})`;
  return message;
}
