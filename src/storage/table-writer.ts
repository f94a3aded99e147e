// Writing a table from a stream (DoPut): beginWrite checks the stream against the table and
// starts staging, each batch lands in new Arrow IPC files as it arrives (or Parquet files with
// --landing parquet; conversion settles landed files later), and commit() publishes
// them through the one commit path as exactly one new version. Until then nothing a reader can
// see has changed; abort() removes the staged files.
import type { Schema } from 'apache-arrow';
import { decodeSchema } from '../arrow/ipc-message.ts';
import { ioFailure } from '../durable-files.ts';
import { validateTableName } from '../table-names.ts';
import { writePlan, type Commits, type PendingCommit, type WriteMode } from './commit.ts';
import { traceSpan, type TraceSpan } from './commit-trace.ts';
import { FileStager, type StagedBatch, type StagingMode, type StagingOptions } from './file-stager.ts';
import type { StorageLayout } from './layout.ts';
import { landedOf, type LandedBytes, type LandingLimits } from './landing-limits.ts';
import type { Manifest } from './manifest.ts';
import { parquetIneligibility } from './parquet-eligibility.ts';
import type { ParquetPool } from './parquet-pool.ts';

export class TableWriter {
  constructor(
    private readonly layout: StorageLayout,
    private readonly commits: Commits,
    private readonly pool: ParquetPool,
    /** Shared with the server, which changes it live; each write keeps the options it began with. */
    private readonly staging: StagingOptions,
    /** The landing's disk bound; without it DoPut never waits for conversion. */
    private readonly landing?: { ledger: LandedBytes; limits: LandingLimits; current: (name: string) => Promise<Manifest | null> },
  ) {}

  /** Starts a write; `schemaHeader` is the stream's Schema message flatbuffer. */
  async beginWrite(name: string, mode: WriteMode, schemaHeader: Uint8Array, schema: Schema, signal?: AbortSignal): Promise<TableWrite> {
    validateTableName(name);
    const trace = traceSpan('write');
    const ineligible = parquetIneligibility(schema);
    // One read of the head (in a cluster a synced ZooKeeper read) serves both checks below; the
    // landing bound reads it again only while it waits.
    let head: Promise<Manifest | null> | null = this.commits.current(name);
    const { tableHeader, dictionaryIds } = await this.commits.target(name, mode, schemaHeader, schema, head);
    trace.mark('target');
    const land = this.staging.landing !== 'parquet';
    if (land && this.landing) {
      const { ledger, limits, current } = this.landing;
      // An overwrite replaces the landed files, but only once it commits: it waits like an append.
      await ledger.admit(name, limits, async () => {
        const m = await (head ?? current(name));
        head = null;
        return m ? landedOf(m).fileBytes : 0;
      }, signal);
    }
    trace.mark('admitted');
    const pending = await this.commits.begin(name);
    trace.mark('begun');
    const stager = this.stager(name, tableHeader, dictionaryIds, ineligible, land ? 'land' : 'settle');
    return new TableWrite(mode, tableHeader, schema, stager, pending, this.landing?.ledger, trace);
  }

  /** A stager of files of `table` whose Schema message is `tableHeader` ('settle': Parquet where it may be). */
  stager(table: string, tableHeader: Uint8Array, dictionaryIds = new Map<number, number>(), ineligible = parquetIneligibility(decodeSchema(tableHeader)), mode: StagingMode = 'settle'): FileStager {
    const options: StagingOptions = { compression: this.staging.compression, rowGroupRows: this.staging.rowGroupRows, maxBufferedBytes: this.staging.maxBufferedBytes };
    return new FileStager(this.layout, table, tableHeader, decodeSchema(tableHeader), ineligible, dictionaryIds, options, this.pool, mode);
  }
}

/** A write in progress: the handle DoPut feeds and then commits or aborts. */
export class TableWrite {
  private done = false;

  constructor(
    readonly mode: WriteMode,
    private readonly schemaHeader: Uint8Array,
    readonly schema: Schema,
    private readonly stager: FileStager,
    private readonly pending: PendingCommit,
    private readonly ledger?: LandedBytes,
    private readonly trace?: TraceSpan,
  ) {}

  get table(): string {
    return this.pending.table;
  }

  add(batch: StagedBatch): Promise<void> {
    // A full disk while staging is the client's to act on (RESOURCE_EXHAUSTED, nothing was
    // committed), not an INTERNAL error: nothing refers to staged files yet.
    return this.stager.add(batch).catch((e: unknown) => {
      throw ioFailure(e, `staging a write to table ${JSON.stringify(this.table)}`);
    });
  }

  async commit(): Promise<Manifest> {
    if (this.done) throw new Error('write already finished');
    let files;
    this.trace?.mark('streamEnd');
    try {
      files = await this.stager.finish();
    } catch (e) {
      await this.abort();
      throw ioFailure(e, `staging a write to table ${JSON.stringify(this.table)}`);
    }
    // From here on the commit path owns the files (and keeps them after an unknown outcome).
    this.done = true;
    this.pending.adopt(...files);
    this.trace?.mark('staged');
    const outcome = await this.pending.commit(writePlan(this.mode, this.schemaHeader), 'fail');
    this.trace?.end();
    if (!outcome.committed) throw new Error(`a write plan gave up: ${outcome.reason}`);
    this.ledger?.set(outcome.manifest.table, landedOf(outcome.manifest).fileBytes);
    return outcome.manifest;
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      await this.stager.abort();
    } finally {
      await this.pending.abandon();
    }
  }
}
