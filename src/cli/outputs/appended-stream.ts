// An Arrow IPC stream file that `quiver get --follow -o FILE` appends to: created with the
// schema when new; when it exists, its schema must be the follow's, and its end-of-stream marker
// (if a previous run wrote one) is cut off so the new batches continue the same stream. Each
// batch is on disk (written and flushed) before the next is read; end() writes the
// end-of-stream marker again, so the file is a complete stream after every clean stop.
import fs from 'node:fs/promises';
import { RecordBatchReader, RecordBatchStreamWriter, type RecordBatch, type Schema } from 'apache-arrow';
import { WriterChunks } from '../../client/writer-chunks.ts';

const EOS = Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

export interface AppendedStream {
  write(batch: RecordBatch): Promise<void>;
  end(): Promise<void>;
}

/** The bytes arrow-js writes for `schema` alone: what to drop from a writer's output when the file has it already. */
function schemaBytes(schema: Schema): number {
  const chunks = new WriterChunks();
  const w = new RecordBatchStreamWriter();
  w.reset(chunks, schema);
  w.finish();
  return chunks.take().byteLength - EOS.length;
}

export async function openAppendedStream(file: string, schema: Schema): Promise<AppendedStream> {
  let existing: Buffer | null = null;
  try {
    existing = await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  let skip = 0;
  if (existing && existing.byteLength > 0) {
    const reader = RecordBatchReader.from(existing);
    reader.open();
    const had = reader.schema;
    const same = had && had.fields.length === schema.fields.length && had.fields.every((f, i) => f.name === schema.fields[i]!.name && String(f.type) === String(schema.fields[i]!.type));
    if (!same) throw new Error(`${file} holds an Arrow stream of another schema (${had?.fields.map((f) => `${f.name}: ${f.type}`).join(', ')}); follow into a new file`);
    if (existing.subarray(-EOS.length).equals(EOS)) await fs.truncate(file, existing.byteLength - EOS.length);
    skip = schemaBytes(schema);
  }
  const handle = await fs.open(file, 'a');
  const chunks = new WriterChunks();
  const writer = new RecordBatchStreamWriter();
  writer.reset(chunks, schema);
  const flush = async () => {
    let bytes = chunks.take();
    if (skip > 0) {
      const cut = Math.min(skip, bytes.byteLength);
      bytes = bytes.subarray(cut);
      skip -= cut;
    }
    if (bytes.byteLength > 0) {
      await handle.write(bytes);
      await handle.datasync();
    }
  };
  return {
    async write(batch) {
      writer.write(batch);
      await flush();
    },
    async end() {
      writer.finish();
      // A file that got no batch still gets its schema (skip is then 0: it was new) and end marker.
      await flush();
      await handle.close();
    },
  };
}
