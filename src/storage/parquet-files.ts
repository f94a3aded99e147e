// Parquet data files, encoded and decoded on the worker pool (see parquet-pool.ts).
import { encodeStream, type IpcFrame } from '../arrow/ipc-framing.ts';
import type { PackedFrames, ParquetCompression, ParquetFooter } from './parquet-codec.ts';
import type { ParquetPool } from './parquet-pool.ts';

export type { ParquetCompression, ParquetFooter };

/** Encodes a schema and its (uncompressed, dictionary-free) record batches as one Parquet file. */
export async function encodeParquet(pool: ParquetPool, schemaHeader: Uint8Array, batches: IpcFrame[], rows: number, compression: ParquetCompression): Promise<Uint8Array> {
  const ipc = encodeStream([{ header: schemaHeader, body: new Uint8Array(0) }, ...batches]);
  // Large results of encodeStream own their buffer and move to the worker without a copy; small
  // ones live in Node's shared Buffer pool, which must never be transferred, so they are copied.
  const buffer = ipc.byteOffset === 0 && ipc.byteLength === ipc.buffer.byteLength ? (ipc.buffer as ArrayBuffer) : (new Uint8Array(ipc).buffer as ArrayBuffer);
  return pool.call<Uint8Array>({ op: 'encode', ipc: buffer, rows, compression }, [buffer]);
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
export async function* readParquet(pool: ParquetPool, file: string, options: ParquetReadOptions): AsyncGenerator<IpcFrame> {
  const groups = await pool.call<number[]>({ op: 'rowGroups', file });
  const wanted = options.batches ? [...options.batches] : null;
  for (let g = 0; g < groups.length; g++) {
    let cut: number[] | null = null;
    if (wanted) {
      // The recorded batches that make up this row group (zero-length ones included).
      cut = [];
      let rows = 0;
      while (wanted.length > 0 && (rows < groups[g]! || wanted[0] === 0)) {
        rows += wanted[0]!;
        cut.push(wanted.shift()!);
      }
      if (rows !== groups[g]) throw new Error(`${file}: row group ${g} has ${groups[g]} rows, its manifest records ${rows}`);
    }
    const packed = await pool.call<PackedFrames>({ op: 'readRowGroup', file, group: g, batches: cut, columns: options.columns });
    for (const f of packed.frames) {
      const buf = packed.buffers[f.buffer]!;
      yield { header: new Uint8Array(buf, f.header[0], f.header[1]), body: new Uint8Array(buf, f.body[0], f.body[1]) };
    }
  }
  if (wanted && wanted.length > 0) throw new Error(`${file}: ${wanted.length} recorded batches are missing from the file`);
}

export function readParquetFooter(pool: ParquetPool, file: string): Promise<ParquetFooter> {
  return pool.call<ParquetFooter>({ op: 'readFooter', file });
}

export function verifyParquetReadable(pool: ParquetPool, file: string): Promise<void> {
  return pool.call<void>({ op: 'verifyReadable', file });
}
