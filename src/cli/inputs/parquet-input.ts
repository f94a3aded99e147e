// Parquet through parquet-wasm, one row group at a time: memory holds at most one decoded row
// group, never the file. Batches cross from WebAssembly memory as IPC streams.
import fs from 'node:fs';
import * as parquet from 'parquet-wasm';
import { RecordBatchReader, tableFromIPC, type RecordBatch, type Schema } from 'apache-arrow';
import type { InputFile } from './input-file.ts';

const BATCH_ROWS = 65_536;

export async function openParquet(file: string): Promise<InputFile> {
  const sizeBytes = fs.statSync(file).size;
  const pf = await parquet.ParquetFile.fromFile(await fs.openAsBlob(file));
  const meta = pf.metadata();
  const totalRows = meta.fileMetadata().numRows();
  let rowsRead = 0;
  return {
    path: file,
    sizeBytes,
    async schema(): Promise<Schema> {
      const reader = RecordBatchReader.from(pf.schema().intoIPCStream());
      reader.open();
      return reader.schema;
    },
    async *batches(): AsyncGenerator<RecordBatch> {
      try {
        for (let g = 0; g < meta.numRowGroups(); g++) {
          const group = await pf.read({ rowGroups: [g], batchSize: BATCH_ROWS });
          try {
            for (const rb of group.recordBatches()) {
              const batches = tableFromIPC(rb.intoIPCStream()).batches;
              for (const b of batches) {
                rowsRead += b.numRows;
                yield b;
              }
            }
          } finally {
            group.free();
          }
        }
      } finally {
        pf.free();
      }
    },
    progress: () => (totalRows > 0 ? rowsRead / totalRows : 1),
  };
}
