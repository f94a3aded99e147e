// Opens the sink for `quiver get`'s output: a file named by -o, or stdout.
import type { Schema } from 'apache-arrow';
import { openByteOutput } from './byte-output.ts';
import { csvSink } from './csv-output.ts';
import { ipcSink } from './ipc-output.ts';
import type { OutputFormat, OutputSink } from './output-file.ts';
import { parquetSink } from './parquet-output.ts';

/** `file` null writes to stdout. */
export async function openOutput(file: string | null, format: OutputFormat, schema: Schema): Promise<OutputSink> {
  const out = openByteOutput(file);
  switch (format) {
    case 'parquet': return parquetSink(out, schema);
    case 'arrow': return ipcSink(out, schema, 'file');
    case 'arrows': return ipcSink(out, schema, 'stream');
    case 'csv': return csvSink(out, schema);
  }
}
