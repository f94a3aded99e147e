// One DoPut's worth of writing: batches are staged into new data files as they arrive, and
// commit() publishes them as exactly one new version. Until then nothing a reader can see has
// changed; abort() removes the staged files.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Schema } from 'apache-arrow';
import { frameLength, type IpcFrame } from '../arrow/ipc-framing.ts';
import { topLevelNodeIndexes } from '../arrow/ipc-message.ts';
import { removeQuietly, writeNewFile } from '../durable-files.ts';
import { ArrowStreamFileWriter } from './arrow-stream-files.ts';
import type { DataFile, FileFormat } from './manifest.ts';
import { encodeParquet, type ParquetCompression } from './parquet-files.ts';

export interface StagingOptions {
  compression: ParquetCompression;
  /** Rows per Parquet file (one row group each); a larger single batch gets a file of its own. */
  rowGroupRows: number;
  /** IPC body bytes buffered before a Parquet file is written. */
  maxBufferedBytes: number;
}

export interface StagedBatch {
  frame: IpcFrame;
  kind: 'recordBatch' | 'dictionaryBatch';
  rows: number;
  compressed: boolean;
  nullCounts: number[];
}

/** Writes a stream's batches into data files under `dataDir`, choosing the format per file. */
export class FileStager {
  readonly files: DataFile[] = [];
  private pending: StagedBatch[] = [];
  private pendingRows = 0;
  private pendingBytes = 0;
  private ipc: { writer: ArrowStreamFileWriter; file: DataFile } | null = null;
  private readonly nodeIndexes: number[];

  constructor(
    private readonly tableDir: string,
    private readonly schemaHeader: Uint8Array,
    private readonly schema: Schema,
    /** Null when every file may be Parquet; otherwise all go to one Arrow stream file. */
    private readonly parquetIneligible: string | null,
    private readonly options: StagingOptions,
  ) {
    this.nodeIndexes = topLevelNodeIndexes(schema);
  }

  async add(batch: StagedBatch): Promise<void> {
    if (this.parquetIneligible !== null) {
      await this.appendToArrowStream(batch);
      return;
    }
    if (batch.kind === 'dictionaryBatch') throw new Error('dictionary batch in a schema without dictionaries');
    if (batch.rows > 0 && this.pendingRows > 0 && this.pendingRows + batch.rows > this.options.rowGroupRows) await this.flush();
    this.pending.push(batch);
    this.pendingRows += batch.rows;
    this.pendingBytes += batch.frame.body.byteLength;
    if (this.pendingRows >= this.options.rowGroupRows || this.pendingBytes >= this.options.maxBufferedBytes) await this.flush();
  }

  async finish(): Promise<DataFile[]> {
    await this.flush();
    if (this.ipc) {
      this.ipc.file.fileBytes = await this.ipc.writer.finish();
      this.ipc = null;
    }
    return this.files;
  }

  async abort(): Promise<void> {
    await this.ipc?.writer.close();
    this.ipc = null;
    this.pending = [];
    await Promise.all(this.files.map((f) => removeQuietly(path.join(this.tableDir, f.path))));
  }

  private async appendToArrowStream(batch: StagedBatch): Promise<void> {
    if (!this.ipc) {
      const file = this.newFile('arrow-stream');
      const writer = await ArrowStreamFileWriter.create(path.join(this.tableDir, file.path));
      this.files.push(file);
      this.ipc = { writer, file };
      await writer.append({ header: this.schemaHeader, body: new Uint8Array(0) });
    }
    await this.ipc.writer.append(batch.frame);
    this.record(this.ipc.file, batch);
  }

  /** Writes the pending batches as one file. */
  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batches = this.pending;
    this.pending = [];
    this.pendingRows = 0;
    this.pendingBytes = 0;
    const rows = batches.reduce((n, b) => n + b.rows, 0);
    const last = this.files.at(-1);
    if (rows === 0 && last && last.format === 'parquet') {
      // Zero-length batches at the end of a stream ride on the previous file's batch list.
      for (const b of batches) this.record(last, b);
      return;
    }
    // Parquet cannot hold a file of no rows with its batch boundaries, and parquet-wasm cannot
    // decompress IPC bodies: both keep the client's own messages instead.
    const format: FileFormat = rows > 0 && !batches.some((b) => b.compressed) ? 'parquet' : 'arrow-stream';
    const file = this.newFile(format);
    const target = path.join(this.tableDir, file.path);
    if (format === 'parquet') {
      const bytes = encodeParquet(this.schemaHeader, batches.map((b) => b.frame), rows, this.options.compression);
      await writeNewFile(target, bytes);
      file.fileBytes = bytes.byteLength;
    } else {
      const writer = await ArrowStreamFileWriter.create(target);
      try {
        await writer.append({ header: this.schemaHeader, body: new Uint8Array(0) });
        for (const b of batches) await writer.append(b.frame);
        file.fileBytes = await writer.finish();
      } catch (e) {
        await writer.close();
        throw e;
      }
    }
    this.files.push(file);
    for (const b of batches) this.record(file, b);
  }

  private newFile(format: FileFormat): DataFile {
    const ext = format === 'parquet' ? 'parquet' : 'arrows';
    return {
      path: `data/${randomUUID()}.${ext}`,
      format,
      rows: 0,
      fileBytes: 0,
      arrowBytes: 0,
      batches: [],
      columns: this.schema.fields.map((f) => ({ name: f.name, nullCount: 0 })),
    };
  }

  private record(file: DataFile, batch: StagedBatch): void {
    file.arrowBytes += frameLength(batch.frame);
    if (batch.kind !== 'recordBatch') return;
    file.rows += batch.rows;
    file.batches!.push(batch.rows);
    this.nodeIndexes.forEach((node, i) => {
      file.columns[i]!.nullCount += batch.nullCounts[node] ?? 0;
    });
  }
}
