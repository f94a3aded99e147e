// Arrow IPC files (.arrow) and streams (.arrows), written a batch at a time.
import { RecordBatchFileWriter, RecordBatchStreamWriter, type RecordBatch, type Schema } from 'apache-arrow';
import { WriterChunks } from '../../client/writer-chunks.ts';
import type { ByteOutput } from './byte-output.ts';
import type { OutputSink } from './output-file.ts';

export function ipcSink(out: ByteOutput, schema: Schema, kind: 'file' | 'stream'): OutputSink {
  const chunks = new WriterChunks();
  const writer = kind === 'file' ? new RecordBatchFileWriter() : new RecordBatchStreamWriter();
  writer.reset(chunks, schema);
  const flush = () => out.write(chunks.take());
  return {
    async write(batch: RecordBatch) {
      writer.write(batch);
      await flush();
    },
    async finish() {
      // Writes the end-of-stream marker (stream) or the footer that indexes the batches (file).
      writer.finish();
      await flush();
      await out.finish();
    },
    abort: () => out.abort(),
  };
}
