// Parquet encode and decode through parquet-wasm (arrow-rs compiled to WebAssembly). These run
// inside parquet-worker.ts: a wasm trap on a bad file then ends a worker, never the server, and
// CPU-heavy work stays off the event loop.
// Each file quiver writes holds one row group made of whole record batches, so a reader can hand
// back the batches exactly as they were put by slicing that row group; nothing is ever
// concatenated across row groups.
import fs from 'node:fs';
import * as parquet from 'parquet-wasm';
import { MESSAGE_SCHEMA, decodeStream, messageHeaderType } from '../arrow/ipc-framing.ts';

/** The compression codec of Parquet data pages. */
export type ParquetCompression = 'zstd' | 'snappy' | 'gzip' | 'lz4' | 'brotli' | 'none';

const COMPRESSION: Record<ParquetCompression, parquet.Compression> = {
  zstd: parquet.Compression.ZSTD,
  snappy: parquet.Compression.SNAPPY,
  gzip: parquet.Compression.GZIP,
  lz4: parquet.Compression.LZ4_RAW,
  brotli: parquet.Compression.BROTLI,
  none: parquet.Compression.UNCOMPRESSED,
};

/** IPC messages packed into transferable buffers: frame i is header/body ranges of buffers[buffer]. */
export interface PackedFrames {
  buffers: ArrayBuffer[];
  frames: { buffer: number; header: [number, number]; body: [number, number] }[];
}

/** Encodes an IPC stream of a schema and its uncompressed, dictionary-free batches as Parquet. */
export function encode(ipcStream: Uint8Array, rows: number, compression: ParquetCompression): Uint8Array {
  const table = parquet.Table.fromIPCStream(ipcStream);
  const props = new parquet.WriterPropertiesBuilder()
    .setCompression(COMPRESSION[compression])
    .setMaxRowGroupSize(Math.max(rows, 1))
    .setCreatedBy('quiver')
    .build();
  return parquet.writeParquet(table, props);
}

export interface ParquetFooter {
  /** Schema message flatbuffer of the Arrow schema arrow-rs reads the file as. */
  schemaHeader: Uint8Array;
  rowGroups: number[];
  /** Uncompressed Parquet bytes per top-level column. */
  columnBytes: Record<string, number>;
  compressions: string[];
  encodings: string[];
}

const READABLE_COMPRESSIONS = new Set(['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI', 'LZ4', 'ZSTD', 'LZ4_RAW']);

/** What an import needs from a file's footer; refuses codecs parquet-wasm cannot decode. */
export async function readFooter(file: string): Promise<ParquetFooter> {
  const pf = await parquet.ParquetFile.fromFile(await fs.openAsBlob(file));
  try {
    const meta = pf.metadata();
    const columnBytes: Record<string, number> = {};
    const compressions = new Set<string>();
    const encodings = new Set<string>();
    for (const group of meta.rowGroups()) {
      for (const chunk of group.columns()) {
        const top = chunk.columnPath()[0] ?? '';
        columnBytes[top] = (columnBytes[top] ?? 0) + chunk.uncompressedSize();
        compressions.add(parquet.Compression[chunk.compression()] ?? String(chunk.compression()));
        for (const e of chunk.encodings()) encodings.add(parquet.Encoding[e] ?? String(e));
      }
    }
    const unreadable = [...compressions].filter((c) => !READABLE_COMPRESSIONS.has(c));
    if (unreadable.length > 0) throw new Error(`it is compressed with ${unreadable.join(', ')}, which this server cannot decompress`);
    const schemaFrame = decodeStream(pf.schema().intoIPCStream()).next().value;
    if (!schemaFrame) throw new Error('its Arrow schema could not be derived');
    return { schemaHeader: new Uint8Array(schemaFrame.header), rowGroups: meta.rowGroups().map((g) => g.numRows()), columnBytes, compressions: [...compressions], encodings: [...encodings] };
  } finally {
    pf.free();
  }
}

/**
 * Decodes every row group and drops the result: proves arrow-rs reads the whole file, and
 * reads as many rows as the footer promises (it silently reads none of some legacy layouts).
 */
export async function verifyReadable(file: string): Promise<void> {
  const pf = await parquet.ParquetFile.fromFile(await fs.openAsBlob(file));
  try {
    const meta = pf.metadata();
    for (let g = 0; g < meta.numRowGroups(); g++) {
      const table = await pf.read({ rowGroups: [g] });
      const rows = table.recordBatches().reduce((n, b) => n + b.numRows, 0);
      table.free();
      const expected = meta.rowGroup(g).numRows();
      if (rows !== expected) throw new Error(`its row group ${g} decodes to ${rows} of the ${expected} rows its footer records (a layout this server's Parquet reader does not understand)`);
    }
  } finally {
    pf.free();
  }
}

/** Rows in each row group of a file. */
export async function rowGroups(file: string): Promise<number[]> {
  const pf = await parquet.ParquetFile.fromFile(await fs.openAsBlob(file));
  try {
    return pf.metadata().rowGroups().map((g) => g.numRows());
  } finally {
    pf.free();
  }
}

/**
 * Record batch messages of one row group: cut into `batches` row counts when given (they must
 * add up to the group's rows), else as the reader produces them.
 */
export async function readRowGroup(file: string, group: number, batches: number[] | null, columns?: string[]): Promise<PackedFrames> {
  const pf = await parquet.ParquetFile.fromFile(await fs.openAsBlob(file));
  const out: PackedFrames = { buffers: [], frames: [] };
  try {
    if (!batches) {
      // Files quiver did not write are read with the reader's own batching, exactly as the
      // import verified them (arrow-rs returns no rows for some legacy list layouts when the
      // batch size equals the row count).
      for (const rb of (await pf.read({ rowGroups: [group], columns })).recordBatches()) pack(rb, out);
      return out;
    }
    const groupRows = pf.metadata().rowGroup(group).numRows();
    const table = await pf.read({ rowGroups: [group], batchSize: Math.max(groupRows, 1), columns });
    const read = table.recordBatches();
    if (read.length !== 1) throw new Error(`${file}: row group ${group} came back as ${read.length} batches`);
    const rb = read[0]!;
    const rows = rb.numRows;
    if (batches.reduce((a, b) => a + b, 0) !== rows) throw new Error(`${file}: row group ${group} has ${rows} rows, its manifest records ${batches.join('+')}`);
    let offset = 0;
    // Slices share the row group's buffers; intoIPCStream consumes only the slice.
    for (const n of batches) {
      pack(rb.slice(offset, n), out);
      offset += n;
    }
    rb.free();
    return out;
  } finally {
    pf.free();
  }
}

/** A buffer that can be transferred to another thread: the bytes' own, never wasm memory. */
export function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && !(bytes.buffer instanceof SharedArrayBuffer);
  return whole && bytes.buffer !== parquetMemory() ? (bytes.buffer as ArrayBuffer) : (new Uint8Array(bytes).buffer as ArrayBuffer);
}

const parquetMemory = () => parquet.wasmMemory().buffer;

/** Bytes of this thread's WebAssembly memory: it grows with the largest file handled, never shrinks. */
export const heapBytes = (): number => parquetMemory().byteLength;

function pack(rb: parquet.RecordBatch, out: PackedFrames): void {
  const bytes = rb.intoIPCStream();
  const own = new Uint8Array(ownBuffer(bytes));
  const index = out.buffers.push(own.buffer as ArrayBuffer) - 1;
  for (const f of decodeStream(own)) {
    // intoIPCStream writes a schema first; the reader sends the table's own schema instead.
    if (messageHeaderType(f.header) === MESSAGE_SCHEMA) continue;
    out.frames.push({ buffer: index, header: [f.header.byteOffset, f.header.byteLength], body: [f.body.byteOffset, f.body.byteLength] });
  }
}

