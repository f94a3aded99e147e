// Where `quiver get` writes: a file whose extension names the format, or stdout.
import path from 'node:path';
import type { RecordBatch, Schema } from 'apache-arrow';
import { UsageError } from '../usage.ts';

export interface OutputSink {
  write(batch: RecordBatch): Promise<void>;
  /** Completes the file (footer, flush); called once, after the last batch. */
  finish(): Promise<void>;
  /** Gives up: closes and leaves no partial file behind. */
  abort(): Promise<void>;
}

export type OutputFormat = 'parquet' | 'arrow' | 'arrows' | 'csv';

export const OUTPUT_FORMATS: OutputFormat[] = ['parquet', 'arrow', 'arrows', 'csv'];

const EXTENSIONS: Record<string, OutputFormat> = {
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.arrows': 'arrows',
  '.csv': 'csv',
};

export function outputFormat(file: string, explicit?: string): OutputFormat {
  if (explicit !== undefined) {
    if (!OUTPUT_FORMATS.includes(explicit as OutputFormat)) throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, got ${JSON.stringify(explicit)}`);
    return explicit as OutputFormat;
  }
  const format = EXTENSIONS[path.extname(file).toLowerCase()];
  if (!format) throw new UsageError(`cannot tell which format to write ${file} in: name it .parquet, .arrow, .arrows or .csv, or pass --format`);
  return format;
}

export type SinkFactory = (schema: Schema) => Promise<OutputSink>;
