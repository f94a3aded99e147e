// Adding existing Parquet files to a table as one commit. Files must sit inside the configured
// import directory; each is checked from its footer (schema, codecs), optionally decoded once
// in a worker to prove it reads, then copied into the table (the table never points at a file
// someone else may change) and committed.
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { decodeSchema } from '../arrow/ipc-message.ts';
import { schemaMismatch } from '../arrow/schema-compat.ts';
import { QuiverError, invalidArgument } from '../errors.ts';
import type { DataFile, Manifest } from './manifest.ts';
import { readParquetFooter, verifyParquetReadable } from './parquet-files.ts';
import { ParquetWorkerCrash } from './parquet-pool.ts';
import { schemaBytes } from './manifest.ts';
import type { TableStore, WriteMode } from './table-store.ts';
import { ensureDirectory, removeQuietly, syncPath, within } from '../durable-files.ts';
import { CommitOutcomeUnknownError } from '../coord/coordinator.ts';

export interface ImportRequest {
  table: string;
  mode: WriteMode;
  /** Paths relative to the import directory (or absolute paths inside it). */
  files: string[];
  /** Decode every row group once before committing (default); false trusts the footers. */
  verify: boolean;
}

export async function importParquet(store: TableStore, importRoot: string | undefined, req: ImportRequest): Promise<Manifest> {
  if (!importRoot) throw new QuiverError('FAILED_PRECONDITION', 'this server has no import directory: start it with --import-dir DIR and put the Parquet files there');
  if (req.files.length === 0) throw invalidArgument('import needs at least one file');
  const root = await fs.realpath(importRoot);
  const sources = await Promise.all(req.files.map((f) => resolveInside(root, f)));

  const footers = [];
  for (const src of sources) {
    const name = path.relative(root, src);
    try {
      const footer = await readParquetFooter(store.pool, src);
      if (req.verify) await verifyParquetReadable(store.pool, src);
      footers.push(footer);
    } catch (e) {
      throw invalidArgument(`cannot import ${name}: ${reason(e)}`);
    }
  }
  const schemaHeader = footers[0]!.schemaHeader;
  const schema = decodeSchema(schemaHeader);
  footers.forEach((f, i) => {
    const mismatch = schemaMismatch(schema, decodeSchema(f.schemaHeader));
    if (mismatch) throw invalidArgument(`cannot import ${req.files[i]} with ${req.files[0]}: ${mismatch}`);
  });

  let tableHeader = schemaHeader;
  const current = await store.snapshot(req.table).catch((e) => {
    if (e instanceof QuiverError && e.code === 'NOT_FOUND') return null;
    throw e;
  });
  if (current && req.mode === 'create') throw new QuiverError('ALREADY_EXISTS', `table ${JSON.stringify(req.table)} already exists; import with mode "append" or "overwrite"`);
  if (current && req.mode === 'append') {
    const mismatch = schemaMismatch(decodeSchema(schemaBytes(current)), schema);
    if (mismatch) throw invalidArgument(`cannot import into table ${JSON.stringify(req.table)}: ${mismatch}`);
    tableHeader = schemaBytes(current);
  }

  const dir = store.tableDir(req.table);
  await ensureDirectory(path.join(dir, 'data'));
  await ensureDirectory(path.join(dir, 'manifests'));
  const files: DataFile[] = [];
  const ended = store.writes.begin(req.table);
  try {
    for (const [i, src] of sources.entries()) {
      const footer = footers[i]!;
      const rel = `data/${randomUUID()}.parquet`;
      const target = path.join(dir, rel);
      // A reflink where the filesystem has them, a byte copy otherwise; never decoded.
      await fs.copyFile(src, target, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
      await syncPath(target);
      const bytes = Object.values(footer.columnBytes).reduce((a, b) => a + b, 0);
      files.push({
        path: rel,
        format: 'parquet',
        rows: footer.rowGroups.reduce((a, b) => a + b, 0),
        fileBytes: (await fs.stat(target)).size,
        // Arrow sizes are unknown without decoding: Parquet's uncompressed sizes stand in.
        arrowBytes: bytes,
        batches: null,
        columns: schema.fields.map((f) => ({ name: f.name, nullCount: null, arrowBytes: footer.columnBytes[f.name] ?? 0 })),
      });
    }
    return await store.commitFiles(req.table, req.mode, tableHeader, files);
  } catch (e) {
    if (!(e instanceof CommitOutcomeUnknownError)) await Promise.all(files.map((f) => removeQuietly(path.join(dir, f.path))));
    throw e;
  } finally {
    ended();
  }
}

async function resolveInside(root: string, file: string): Promise<string> {
  let real: string;
  try {
    real = await fs.realpath(path.resolve(root, file));
  } catch {
    throw new QuiverError('NOT_FOUND', `cannot import ${file}: no such file in the import directory`);
  }
  if (!within(root, real)) {
    throw new QuiverError('PERMISSION_DENIED', `cannot import ${file}: only files inside the server's import directory can be imported`);
  }
  return real;
}

function reason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof ParquetWorkerCrash) return `decoding it crashed the Parquet reader (arrow-rs), so it is corrupt or uses a layout the reader cannot handle (${message})`;
  if (/encrypt|PARE/i.test(message)) return `it is encrypted, which this server does not support (${message})`;
  if (/magic|footer|corrupt|EOF|out of range|Unable to open/i.test(message)) return `it is not a readable Parquet file (${message})`;
  return message;
}
