// Adding existing Parquet files to a table as one commit. Files must sit inside the configured
// import directory; each is checked from its footer (schema, codecs), optionally decoded once
// in a worker to prove it reads, then copied into the table (the table never points at a file
// someone else may change) and committed.
import fs from 'node:fs/promises';
import path from 'node:path';
import { constants } from 'node:fs';
import { decodeSchema } from '../arrow/ipc-message.ts';
import { schemaMismatch } from '../arrow/schema-compat.ts';
import { QuiverError, invalidArgument } from '../errors.ts';
import { syncPath, within } from '../durable-files.ts';
import { writePlan, type WriteMode } from './commit.ts';
import { newDataFilePath } from './layout.ts';
import type { DataFile, Manifest } from './manifest.ts';
import { readParquetFooter, verifyParquetReadable } from './parquet-files.ts';
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

  // Refused before anything is copied; the commit checks again against the head it follows.
  const { tableHeader } = await store.commits.target(req.table, req.mode, schemaHeader, schema);
  const pending = await store.commits.begin(req.table);
  try {
    for (const [i, src] of sources.entries()) {
      const footer = footers[i]!;
      const file: DataFile = {
        path: newDataFilePath('parquet'),
        format: 'parquet',
        rows: footer.rowGroups.reduce((a, b) => a + b, 0),
        fileBytes: 0,
        // Arrow sizes are unknown without decoding: Parquet's uncompressed sizes stand in.
        arrowBytes: Object.values(footer.columnBytes).reduce((a, b) => a + b, 0),
        batches: null,
        columns: schema.fields.map((f) => ({ name: f.name, nullCount: null, arrowBytes: footer.columnBytes[f.name] ?? 0 })),
      };
      const target = store.layout.file(req.table, file.path);
      // Adopted before it exists, so that abandoning the commit removes it whatever happens.
      pending.adopt(file);
      // A reflink where the filesystem has them, a byte copy otherwise; never decoded.
      await fs.copyFile(src, target, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
      await syncPath(target);
      file.fileBytes = (await fs.stat(target)).size;
    }
  } catch (e) {
    await pending.abandon();
    throw e;
  }
  const outcome = await pending.commit(writePlan(req.mode, tableHeader), 'fail');
  if (!outcome.committed) throw new Error(`a write plan gave up: ${outcome.reason}`);
  return outcome.manifest;
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
