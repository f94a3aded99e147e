// Staging a stream's batches into new data files as they arrive (DoPut's, and the rewrites of
// compaction and conversion). Two modes:
//   land    (DoPut): every batch goes into Arrow IPC stream files as it came, written at disk
//           speed without the stream waiting on each write (landing-file.ts); the conversion
//           task (maintenance/conversion.ts) turns them into Parquet in the background.
//   settle  (compaction, conversion, --landing parquet): the format is chosen per file, Parquet
//           where the schema and batches allow it, encoded on the worker pool while the stream
//           goes on.
// Landing files are cut where settled files would be (--row-group-rows, --max-buffered-bytes),
// so that converting one landing file gives what a Parquet write of the same batches gave.
// abort() removes every file staged. Nothing here is visible to readers until a commit
// publishes the files (commit.ts).
import type { Schema } from 'apache-arrow';
import type { IpcFrame } from '../arrow/ipc-framing.ts';
import { columnBytes, dictionaryIdsOf, topLevelNodeIndexes, withDictionaryId, type MessageInfo } from '../arrow/ipc-message.ts';
import { publishFile, removeQuietly } from '../durable-files.ts';
import { newDataFilePath, type StorageLayout } from './layout.ts';
import { invalidArgument } from '../errors.ts';
import { ArrowStreamFileWriter } from './arrow-stream-files.ts';
import { LandingFileWriter } from './landing-file.ts';
import type { DataFile, FileFormat } from './manifest.ts';
import { encodeParquet, type ParquetCompression } from './parquet-files.ts';
import { ParquetDataError, ParquetWorkerCrash, type ParquetPool } from './parquet-pool.ts';

export interface StagingOptions {
  compression: ParquetCompression;
  /** Rows per Parquet file (one row group each); a larger single batch gets a file of its own. */
  rowGroupRows: number;
  /** IPC body bytes buffered before a Parquet file is written (and at which a landing file is cut). */
  maxBufferedBytes: number;
  /**
   * How DoPut stores a stream: 'ipc' (the default) lands Arrow IPC files that conversion turns
   * into Parquet later; 'parquet' encodes Parquet while the stream arrives, as before.
   */
  landing?: LandingFormat;
}

export type LandingFormat = 'ipc' | 'parquet';
export type StagingMode = 'land' | 'settle';

/** Bytes of frames a landing file may have waiting for the disk before the stream waits. */
const LANDING_QUEUE_BYTES = 32 * 1024 * 1024;

export interface StagedBatch {
  frame: IpcFrame;
  /** The FlightData app_metadata the batch came with, kept to be sent back with it. */
  appMetadata?: Uint8Array;
  info: Extract<MessageInfo, { kind: 'recordBatch' | 'dictionaryBatch' }>;
}

/** Writes a stream's batches into data files of one table, choosing the format per file. */
export class FileStager {
  readonly files: DataFile[] = [];
  private pending: StagedBatch[] = [];
  private pendingRows = 0;
  private pendingBytes = 0;
  private ipc: { writer: LandingFileWriter; file: DataFile } | null = null;
  /** The landing file being written (land mode), and whether it is full (cut before the next rows). */
  private landing: { writer: LandingFileWriter; file: DataFile; rows: number; bytes: number } | null = null;
  /** Files being encoded and written; a failure of any fails the stream. */
  private readonly inflight: Promise<void>[] = [];
  private failure: unknown = null;
  private readonly nodeIndexes: number[];
  /** Dictionary id -> index of the top-level column whose values it holds. */
  private readonly dictionaryColumns = new Map<number, number>();

  constructor(
    private readonly layout: StorageLayout,
    private readonly table: string,
    /** The table's Schema message: what every file starts with and DoGet sends first. */
    private readonly schemaHeader: Uint8Array,
    private readonly schema: Schema,
    /** Null when every file may be Parquet; otherwise all go to one Arrow stream file. */
    private readonly parquetIneligible: string | null,
    /** The stream's dictionary ids -> the table's, where they differ. */
    private readonly dictionaryIds: Map<number, number>,
    private readonly options: StagingOptions,
    private readonly pool: ParquetPool,
    private readonly mode: StagingMode = 'settle',
  ) {
    this.nodeIndexes = topLevelNodeIndexes(schema);
    schema.fields.forEach((f, i) => {
      for (const id of dictionaryIdsOf(f)) this.dictionaryColumns.set(id, i);
    });
  }

  async add(batch: StagedBatch): Promise<void> {
    this.throwIfFailed();
    if (batch.info.kind === 'dictionaryBatch') batch = this.renumber(batch);
    if (this.parquetIneligible !== null) {
      await this.appendToArrowStream(batch);
      return;
    }
    if (this.mode === 'land') {
      await this.land(batch);
      return;
    }
    if (batch.info.kind === 'dictionaryBatch') throw new Error('dictionary batch in a schema without dictionaries');
    const rows = batch.info.rows;
    if (rows > 0 && this.pendingRows > 0 && this.pendingRows + rows > this.options.rowGroupRows) await this.flush();
    this.pending.push(batch);
    this.pendingRows += rows;
    // Headers and app_metadata count too: zero-row batches carry nothing else, and without them
    // a stream of those would be held whole (issue 9.3, src/flight/write-gate.ts).
    this.pendingBytes += batch.frame.header.byteLength + batch.frame.body.byteLength + (batch.appMetadata?.byteLength ?? 0);
    if (this.pendingRows >= this.options.rowGroupRows || this.pendingBytes >= this.options.maxBufferedBytes) await this.flush();
  }

  async finish(): Promise<DataFile[]> {
    this.closeLanding();
    await this.flush();
    await Promise.all(this.inflight.splice(0));
    this.throwIfFailed();
    if (this.ipc) {
      this.ipc.file.fileBytes = await this.ipc.writer.finish();
      this.ipc = null;
    }
    return this.files;
  }

  async abort(): Promise<void> {
    const landing = this.landing;
    this.landing = null;
    await Promise.all(this.inflight.splice(0));
    await landing?.writer.close();
    await this.ipc?.writer.close();
    this.ipc = null;
    this.pending = [];
    await Promise.all(this.files.map((f) => removeQuietly(this.layout.file(this.table, f.path))));
  }

  private async appendToArrowStream(batch: StagedBatch): Promise<void> {
    if (!this.ipc) {
      const file = this.newFile('arrow-stream');
      const writer = await LandingFileWriter.create(this.layout.file(this.table, file.path), LANDING_QUEUE_BYTES);
      this.files.push(file);
      this.ipc = { writer, file };
      await writer.append({ header: this.schemaHeader, body: new Uint8Array(0) });
    }
    await this.ipc.writer.append(batch.frame);
    this.record(this.ipc.file, batch);
  }

  /**
   * Land mode: appends to the open landing file, cutting it (in the background: fsync and
   * publish) before rows that would take it past --row-group-rows or once it holds
   * --max-buffered-bytes. Zero-length batches ride on the file before them, as in Parquet files.
   */
  private async land(batch: StagedBatch): Promise<void> {
    const rows = batch.info.kind === 'recordBatch' ? batch.info.rows : 0;
    const open = this.landing;
    if (open && rows > 0 && open.rows > 0 && (open.rows + rows > this.options.rowGroupRows || open.bytes >= this.options.maxBufferedBytes || open.rows >= this.options.rowGroupRows)) {
      this.closeLanding();
      // At most one finished file is still being fsynced while the next one fills.
      if (this.inflight.length > 1) await this.inflight.shift();
      this.throwIfFailed();
    }
    if (!this.landing) {
      const file = this.newFile('arrow-stream');
      // Listed before it exists, in stream order, so that abort() removes it whatever happens.
      this.files.push(file);
      const writer = await LandingFileWriter.create(this.layout.file(this.table, file.path), LANDING_QUEUE_BYTES);
      this.landing = { writer, file, rows: 0, bytes: 0 };
      await writer.append({ header: this.schemaHeader, body: new Uint8Array(0) });
    }
    const target = this.landing;
    await target.writer.append(batch.frame);
    target.rows += rows;
    target.bytes += batch.frame.body.byteLength;
    this.record(target.file, batch);
  }

  /** Starts fsyncing and publishing the open landing file; finish() waits for it. */
  private closeLanding(): void {
    const open = this.landing;
    if (!open) return;
    this.landing = null;
    this.inflight.push(open.writer.finish().then((bytes) => {
      open.file.fileBytes = bytes;
    }, (e: unknown) => {
      this.failure ??= e;
    }));
  }

  /**
   * Turns the pending batches into one file. Encoding runs on the worker pool while the stream
   * goes on arriving; at most one file per worker is in flight, which bounds the memory held.
   */
  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batches = this.pending;
    this.pending = [];
    this.pendingRows = 0;
    this.pendingBytes = 0;
    const rows = batches.reduce((n, b) => n + (b.info.kind === 'recordBatch' ? b.info.rows : 0), 0);
    const last = this.files.at(-1);
    if (rows === 0 && last && last.format === 'parquet') {
      // Zero-length batches at the end of a stream ride on the previous file's batch list.
      for (const b of batches) this.record(last, b);
      return;
    }
    // Parquet cannot hold a file of no rows with its batch boundaries, and parquet-wasm cannot
    // decompress IPC bodies: both keep the client's own messages instead.
    const format: FileFormat = rows > 0 && !batches.some((b) => b.info.compressed) ? 'parquet' : 'arrow-stream';
    const file = this.newFile(format);
    // Listed before it exists, in stream order, so that abort() removes it whatever happens.
    this.files.push(file);
    for (const b of batches) this.record(file, b);
    this.inflight.push(this.writeFile(file, batches, rows).catch((e: unknown) => {
      this.failure ??= e;
    }));
    if (this.inflight.length >= this.pool.size) await this.inflight.shift();
    this.throwIfFailed();
  }

  private async writeFile(file: DataFile, batches: StagedBatch[], rows: number): Promise<void> {
    const target = this.layout.file(this.table, file.path);
    if (file.format === 'parquet') {
      let bytes: Uint8Array;
      try {
        bytes = await encodeParquet(this.pool, this.schemaHeader, batches.map((b) => b.frame), rows, this.options.compression);
      } catch (e) {
        // parquet-wasm refuses data that contradicts its schema (e.g. nulls in a non-nullable
        // column), and a trap that ends the worker is as much the data's doing.
        if (e instanceof ParquetDataError || e instanceof ParquetWorkerCrash) throw invalidArgument(`the record batches could not be written: ${e.message}`);
        throw e;
      }
      await publishFile(target, bytes);
      file.fileBytes = bytes.byteLength;
      return;
    }
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

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
  }

  private newFile(format: FileFormat): DataFile {
    return {
      path: newDataFilePath(format),
      format,
      rows: 0,
      fileBytes: 0,
      arrowBytes: 0,
      batches: [],
      columns: this.schema.fields.map((f) => ({ name: f.name, nullCount: 0, arrowBytes: 0 })),
    };
  }

  private record(file: DataFile, batch: StagedBatch): void {
    file.arrowBytes += batch.frame.body.byteLength;
    const { info } = batch;
    if (info.kind === 'dictionaryBatch') {
      const column = this.dictionaryColumns.get(info.id);
      if (column !== undefined) file.columns[column]!.arrowBytes += info.bodyLength;
      return;
    }
    file.rows += info.rows;
    file.batches!.push(info.rows);
    if (batch.appMetadata || file.batchMetadata) {
      file.batchMetadata ??= new Array<string | null>(file.batches!.length - 1).fill(null);
      file.batchMetadata.push(batch.appMetadata ? Buffer.from(batch.appMetadata).toString('base64') : null);
    }
    const bytes = columnBytes(this.schema, info.layout);
    this.nodeIndexes.forEach((node, i) => {
      file.columns[i]!.nullCount! += info.layout.nodes[node]?.nullCount ?? 0;
      file.columns[i]!.arrowBytes += bytes[i] ?? 0;
    });
  }

  private renumber(batch: StagedBatch): StagedBatch {
    if (batch.info.kind !== 'dictionaryBatch') return batch;
    const id = this.dictionaryIds.get(batch.info.id);
    if (id === undefined || id === batch.info.id) return batch;
    return { ...batch, frame: { header: withDictionaryId(batch.frame.header, id), body: batch.frame.body }, info: { ...batch.info, id } };
  }
}
