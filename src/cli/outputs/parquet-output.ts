// Parquet through parquet-wasm's streaming writer: batches go in as they arrive and encoded
// bytes come out a row group at a time, so memory holds at most one row group.
import * as parquet from 'parquet-wasm';
import { Table, tableToIPC, type RecordBatch, type Schema } from 'apache-arrow';
import type { ByteOutput } from './byte-output.ts';
import type { OutputSink } from './output-file.ts';

function writerProperties(): parquet.WriterProperties {
  return new parquet.WriterPropertiesBuilder().setCompression(parquet.Compression.ZSTD).setCreatedBy('quiver get').build();
}

/** An arrow-js batch as a parquet-wasm batch (in WebAssembly memory), via one IPC stream. */
function toWasmBatch(batch: RecordBatch): parquet.RecordBatch | undefined {
  const table = parquet.Table.fromIPCStream(tableToIPC(new Table([batch]), 'stream'));
  try {
    return table.recordBatch(0);
  } finally {
    table.free();
  }
}

interface Encoder {
  input: WritableStreamDefaultWriter<parquet.RecordBatch>;
  pump: Promise<void>;
}

function startEncoder(out: ByteOutput): Encoder {
  const batches = new TransformStream<parquet.RecordBatch, parquet.RecordBatch>(undefined, { highWaterMark: 1 }, { highWaterMark: 1 });
  // Not awaited before writing: parquet-wasm reads the first batch (for its schema) before it
  // hands back the encoded stream.
  const encoded = parquet.transformParquetStream(batches.readable, writerProperties());
  const pump = (async () => {
    const reader = ((await encoded) as ReadableStream<Uint8Array>).getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) await out.write(r.value);
  })();
  pump.catch(() => undefined);
  return { input: batches.writable.getWriter(), pump };
}

export async function parquetSink(out: ByteOutput, schema: Schema): Promise<OutputSink> {
  // Started by the first non-empty batch: the streaming writer needs one to write anything.
  let encoder: Encoder | null = null;
  return {
    async write(batch: RecordBatch) {
      if (batch.numRows === 0) return;
      const wasm = toWasmBatch(batch);
      if (!wasm) return;
      encoder ??= startEncoder(out);
      await encoder.input.ready;
      await Promise.race([encoder.input.write(wasm), encoder.pump]);
    },
    async finish() {
      if (encoder) {
        await encoder.input.close();
        await encoder.pump;
      } else {
        const empty = parquet.Table.fromIPCStream(tableToIPC(new Table(schema), 'stream'));
        await out.write(parquet.writeParquet(empty, writerProperties()));
      }
      await out.finish();
    },
    async abort() {
      await encoder?.input.abort().catch(() => undefined);
      await out.abort();
    },
  };
}
