// Parquet data files through parquet-wasm (arrow-rs compiled to WebAssembly).
// Each file quiver writes holds one row group made of whole record batches, so a reader can
// hand back the batches exactly as they were put by slicing that row group; nothing is ever
// concatenated across row groups.
import fs from 'node:fs';
import * as parquet from 'parquet-wasm';
import { MESSAGE_SCHEMA, decodeStream, encodeStream, messageHeaderType, type IpcFrame } from '../arrow/ipc-framing.ts';

export type ParquetCompression = 'zstd' | 'snappy' | 'gzip' | 'lz4' | 'brotli' | 'none';

const COMPRESSION: Record<ParquetCompression, parquet.Compression> = {
  zstd: parquet.Compression.ZSTD,
  snappy: parquet.Compression.SNAPPY,
  gzip: parquet.Compression.GZIP,
  lz4: parquet.Compression.LZ4_RAW,
  brotli: parquet.Compression.BROTLI,
  none: parquet.Compression.UNCOMPRESSED,
};

/** Encodes a schema and its (uncompressed, dictionary-free) record batches as one Parquet file. */
export function encodeParquet(schemaHeader: Uint8Array, batches: IpcFrame[], rows: number, compression: ParquetCompression): Uint8Array {
  const ipc = encodeStream([{ header: schemaHeader, body: new Uint8Array(0) }, ...batches]);
  const table = parquet.Table.fromIPCStream(ipc);
  const props = new parquet.WriterPropertiesBuilder()
    .setCompression(COMPRESSION[compression])
    .setMaxRowGroupSize(Math.max(rows, 1))
    .setCreatedBy('quiver')
    .build();
  return parquet.writeParquet(table, props);
}

export interface ParquetReadOptions {
  /** Row counts to cut the file's rows into; null keeps the reader's own batches per row group. */
  batches: number[] | null;
  columns?: string[];
}

/**
 * Streams a Parquet file as IPC record batch frames (no schema frame), one row group at a time
 * so that memory holds at most one row group.
 */
export async function* readParquet(file: string, options: ParquetReadOptions): AsyncGenerator<IpcFrame> {
  const pf = await parquet.ParquetFile.fromFile(await fs.openAsBlob(file));
  try {
    const meta = pf.metadata();
    const groups = meta.numRowGroups();
    const wanted = options.batches ? [...options.batches] : null;
    for (let g = 0; g < groups; g++) {
      const groupRows = meta.rowGroup(g).numRows();
      const table = await pf.read({ rowGroups: [g], batchSize: Math.max(groupRows, 1), columns: options.columns });
      const batches = table.recordBatches();
      if (batches.length === 0) continue;
      if (!wanted) {
        for (const rb of batches) yield* batchFrames(rb);
        continue;
      }
      if (batches.length !== 1) throw new Error(`${file}: row group ${g} came back as ${batches.length} batches`);
      const rb = batches[0]!;
      const rows = rb.numRows;
      let offset = 0;
      // Slices share the row group's buffers; intoIPCStream consumes only the slice.
      while (offset < rows || (wanted.length > 0 && wanted[0] === 0)) {
        const n = wanted.shift();
        if (n === undefined) throw new Error(`${file}: more rows than its manifest records`);
        if (offset + n > rows) throw new Error(`${file}: a recorded batch of ${n} rows crosses the end of row group ${g}`);
        yield* batchFrames(rb.slice(offset, n));
        offset += n;
      }
      rb.free();
    }
    if (wanted && wanted.length > 0) throw new Error(`${file}: ${wanted.length} recorded batches are missing from the file`);
  } finally {
    pf.free();
  }
}

function* batchFrames(rb: parquet.RecordBatch): Generator<IpcFrame> {
  for (const frame of decodeStream(rb.intoIPCStream())) {
    // intoIPCStream writes a schema first; the caller sends the table's own schema instead.
    if (isSchemaFrame(frame)) continue;
    yield frame;
  }
}

function isSchemaFrame(frame: IpcFrame): boolean {
  return messageHeaderType(frame.header) === MESSAGE_SCHEMA;
}
