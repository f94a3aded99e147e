// A file `quiver put` uploads: its schema, its batches one at a time, and how far reading has
// got (0..1) for the progress bar.
import path from 'node:path';
import type { RecordBatch, Schema } from 'apache-arrow';
import { UsageError } from '../usage.ts';

export interface InputFile {
  path: string;
  sizeBytes: number;
  schema(): Promise<Schema>;
  batches(): AsyncGenerator<RecordBatch>;
  /** Fraction of the file read so far. */
  progress(): number;
}

export type InputFormat = 'parquet' | 'arrow-file' | 'arrow-stream' | 'csv';

const EXTENSIONS: Record<string, InputFormat> = {
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.arrow': 'arrow-file',
  '.feather': 'arrow-file',
  '.ipc': 'arrow-file',
  '.arrows': 'arrow-stream',
  '.csv': 'csv',
};

export function inputFormat(file: string): InputFormat {
  const format = EXTENSIONS[path.extname(file).toLowerCase()];
  if (!format) throw new UsageError(`cannot tell the format of ${file}: name it .parquet, .arrow/.feather (IPC file), .arrows (IPC stream) or .csv`);
  return format;
}
