// Arrow IPC files (.arrow/.feather, read by random access through the footer) and IPC streams
// (.arrows, read front to back): arrow-js reads both a message at a time from disk.
import fs from 'node:fs';
import '../../arrow/compression-codecs.ts'; // reads compressed .arrow files too
import { RecordBatchReader, type RecordBatch, type Schema } from 'apache-arrow';
import { countedRead } from './counted-read.ts';
import type { InputFile } from './input-file.ts';

export async function openArrowFile(file: string): Promise<InputFile> {
  const sizeBytes = fs.statSync(file).size;
  const handle = await fs.promises.open(file);
  const reader = await RecordBatchReader.from(handle);
  await reader.open();
  if (!reader.isFile()) {
    await handle.close();
    throw new Error(`${file} is not an Arrow IPC file (no ARROW1 magic); if it is an IPC stream, name it .arrows`);
  }
  const total = reader.numRecordBatches;
  let read = 0;
  return {
    path: file,
    sizeBytes,
    schema: async () => reader.schema,
    async *batches(): AsyncGenerator<RecordBatch> {
      try {
        for await (const batch of reader) {
          read++;
          yield batch;
        }
      } finally {
        await reader.cancel();
        await handle.close().catch(() => undefined);
      }
    },
    progress: () => (total > 0 ? read / total : 1),
  };
}

export async function openArrowStream(file: string): Promise<InputFile> {
  const sizeBytes = fs.statSync(file).size;
  const input = countedRead(file);
  const reader = await RecordBatchReader.from(input.chunks);
  await reader.open();
  let schema: Schema = reader.schema;
  return {
    path: file,
    sizeBytes,
    schema: async () => schema,
    async *batches(): AsyncGenerator<RecordBatch> {
      try {
        for await (const batch of reader) {
          schema ??= batch.schema;
          yield batch;
        }
      } finally {
        input.close();
      }
    },
    progress: () => (sizeBytes > 0 ? Math.min(1, input.bytesRead() / sizeBytes) : 1),
  };
}
