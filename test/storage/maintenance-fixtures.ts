// A TableStore on a temporary data root with the local coordinator, tables written through the
// same staging path as DoPut (real Parquet and Arrow stream files), and readers that report
// exactly what DoGet would send: values, batch row counts, app_metadata.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Dictionary, Float64, Int32, Int64, RecordBatch, Table, Utf8, tableFromIPC, vectorFromArray, type Vector } from 'apache-arrow';
import { encodeStream, type IpcFrame } from '../../src/arrow/ipc-framing.ts';
import { decodeSchema, inspectMessage } from '../../src/arrow/ipc-message.ts';
import { LocalCoordinator } from '../../src/coord/local-coordinator.ts';
import type { Logger } from '../../src/flight/context.ts';
import { schemaBytes, type Manifest } from '../../src/storage/manifest.ts';
import type { WriteMode } from '../../src/storage/commit.ts';
import { TableStore } from '../../src/storage/table-store.ts';
import { framesOf } from '../harness/arrow-frames.ts';

export function tempStore(): TableStore {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-maint-'));
  return new TableStore(root, new LocalCoordinator(path.join(root, 'log')), { compression: 'zstd', rowGroupRows: 1_000_000, maxBufferedBytes: 64 * 1024 * 1024 }, { parquetWorkers: 1, cacheBytes: 0 });
}

export async function closeStore(store: TableStore): Promise<void> {
  await store.close();
  fs.rmSync(store.root, { recursive: true, force: true });
}

export const quietLog = (): Logger & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
};

/**
 * Batch `k` of part `part`: int64 ids, nullable utf8 and float64 (every third row null), and
 * when `dictionary`, a dictionary-encoded tag column (which makes the table an Arrow stream).
 */
export function part(part: number, batches: number[], dictionary = false): Table {
  const total = batches.reduce((n, r) => n + r, 0);
  const ids = Array.from({ length: total }, (_, i) => part * 1000 + i);
  const columns: Record<string, Vector> = {
    id: vectorFromArray(ids.map(BigInt), new Int64()),
    name: vectorFromArray(ids.map((i) => (i % 3 === 0 ? null : `n-${i}`)), new Utf8()),
    score: vectorFromArray(ids.map((i) => (i % 3 === 1 ? null : i / 4)), new Float64()),
  };
  if (dictionary) columns.tag = vectorFromArray(ids.map((i) => (i % 5 === 0 ? null : `tag-${i % 4}`)), new Dictionary(new Utf8(), new Int32()));
  // Slices of one batch share its schema (and dictionary), as a client's stream would.
  const whole = new Table(columns).batches[0]!;
  const out: RecordBatch[] = [];
  let at = 0;
  for (const rows of batches) {
    out.push(whole.slice(at, at + rows));
    at += rows;
  }
  return new Table(out);
}

/** A DoPut of `table` (one app_metadata per batch from `metadata`), committed. */
export async function put(store: TableStore, name: string, table: Table, mode: WriteMode = 'append', metadata?: (batch: number) => string | null): Promise<Manifest> {
  const [schema, ...rest] = framesOf(table);
  const write = await store.beginWrite(name, mode, schema!.header, decodeSchema(schema!.header));
  let batch = 0;
  try {
    for (const frame of rest) {
      const info = inspectMessage(frame.header);
      if (info.kind === 'schema') continue;
      const meta = info.kind === 'recordBatch' ? metadata?.(batch++) ?? null : null;
      await write.add({ frame, info, ...(meta !== null ? { appMetadata: Buffer.from(meta) } : {}) });
    }
  } catch (e) {
    await write.abort();
    throw e;
  }
  return write.commit();
}

export interface ReadBack {
  rows: unknown[];
  batchRows: number[];
  metadata: (string | null)[];
  frames: IpcFrame[];
}

/** What a DoGet of the whole version sends, decoded. */
export async function readBack(store: TableStore, name: string, version?: number): Promise<ReadBack> {
  const manifest = await store.snapshot(name, version);
  const frames: IpcFrame[] = [];
  const metadata: (string | null)[] = [];
  for await (const f of store.readFiles(manifest, manifest.files)) {
    frames.push({ header: f.header, body: f.body });
    if (inspectMessage(f.header).kind === 'recordBatch') metadata.push(f.appMetadata ? Buffer.from(f.appMetadata).toString() : null);
  }
  const table = tableFromIPC(encodeStream([{ header: schemaBytes(manifest), body: new Uint8Array(0) }, ...frames]));
  return { rows: table.toArray().map((r) => r.toJSON()), batchRows: table.batches.map((b) => b.numRows), metadata, frames };
}

export function age(file: string, ms: number): void {
  const t = new Date(Date.now() - ms);
  fs.utimesSync(file, t, t);
}
