// Every call src/sql makes into storage, in one adapter: reading a table's versions for a
// query's pins, and committing what SQL writes (ingest streams, the rows of CREATE TABLE AS and
// INSERT, DROP TABLE) through the same TableStore write path DoPut uses, so each is one atomic
// commit. When the storage layer changes shape, this file is the one to follow it.
import path from 'node:path';
import type { RecordBatch, Schema } from 'apache-arrow';
import { encodeBatch } from '../arrow/batch-codec.ts';
import { decodeSchema, encodeSchema, inspectMessage, type MessageInfo } from '../arrow/ipc-message.ts';
import type { IpcFrame } from '../arrow/ipc-framing.ts';
import { invalidArgument } from '../errors.ts';
import { schemaBytes, type Manifest } from '../storage/manifest.ts';
import type { WriteMode } from '../storage/commit.ts';
import type { TableStore } from '../storage/table-store.ts';
import type { TableWrite } from '../storage/table-writer.ts';
import type { PinnedTable } from './engine/sql-engine.ts';

export type { WriteMode };

/** A table version as a query pins it, with the incarnation id that tells a re-created table apart. */
export interface TableVersion {
  pinned: PinnedTable;
  tableId: string;
  /** When a newer version superseded it (ms since the epoch), null while current. */
  supersededAt: number | null;
}

export interface CommitSummary {
  table: string;
  version: number;
  /** Rows this commit added. */
  rows: number;
}

export class TableWrites {
  constructor(private readonly store: () => TableStore) {}

  /**
   * What each manifest pins, by manifest object: the store keeps a version's manifest object while
   * it caches it, and decoding its schema again for every query cost about 0.4 ms (three times per
   * ADBC query: prepare, GetFlightInfo, DoGet). A manifest object never changes, so neither does this.
   */
  private readonly pinnedByManifest = new WeakMap<Manifest, PinnedTable>();

  /** `version` of `name`, or its current version; NOT_FOUND for an unknown table or version. */
  async version(name: string, version?: number): Promise<TableVersion> {
    const store = this.store();
    const manifest = await store.snapshot(name, version);
    const superseded = version === undefined ? null : await store.supersededAt(name, manifest.version);
    return { pinned: await this.pinned(store, manifest), tableId: manifest.tableId, supersededAt: superseded };
  }

  /**
   * A bucket store's files are local copies, pinned again by every query: each pin renews the
   * copies' lease, so only the decoded schema and file list are reused for them.
   */
  private async pinned(store: TableStore, manifest: Manifest): Promise<PinnedTable> {
    let pinned = this.pinnedByManifest.get(manifest);
    if (!pinned) {
      pinned = pinnedOf(store, manifest);
      this.pinnedByManifest.set(manifest, pinned);
    }
    if (!store.objects) return pinned;
    const paths = await store.objects.sqlCopies.pin(manifest.table, manifest.files.map((f) => f.path));
    return { ...pinned, files: pinned.files.map((f, i) => ({ ...f, path: paths[i]! })) };
  }

  /** The version current at `at` (ms since the epoch). */
  versionAsOf(name: string, at: number): Promise<number> {
    return this.store().versionAsOf(name, at);
  }

  /** Current name, version, schema and row count of every table (the catalog, for metadata calls). */
  async tables(): Promise<{ name: string; version: number; rows: number; schema: Schema }[]> {
    return (await this.store().describeTables('')).map((d) => ({
      name: d.table,
      version: d.version,
      rows: d.rows,
      schema: decodeSchema(new Uint8Array(Buffer.from(d.schema, 'base64'))),
    }));
  }

  async exists(name: string): Promise<boolean> {
    return (await this.store().describeTables(name)).some((d) => d.table === name);
  }

  /** Starts a write of an Arrow stream whose Schema message is `schemaHeader` (ingest). */
  begin(name: string, mode: WriteMode, schemaHeader: Uint8Array): Promise<IngestWrite> {
    const schema = decodeSchema(schemaHeader);
    if (schema.fields.length === 0) throw invalidArgument('the stream\'s schema has no columns');
    return this.store().beginWrite(name, mode, schemaHeader, schema).then((w) => new IngestWrite(w));
  }

  /** Commits record batches (the rows a CREATE TABLE AS or INSERT yields) as one version. */
  async commitRows(name: string, mode: WriteMode, schema: Schema, batches: AsyncIterable<RecordBatch>): Promise<CommitSummary> {
    const write = await this.begin(name, mode, encodeSchema(schema));
    try {
      for await (const batch of batches) {
        for (const frame of encodeBatch(batch)) await write.add(frame);
      }
      return await write.commit();
    } catch (e) {
      await write.abort();
      throw e;
    }
  }

  async drop(name: string): Promise<void> {
    await this.store().drop(name);
  }
}

/** One ingest stream being staged; commit() publishes it as exactly one version. */
export class IngestWrite {
  constructor(private readonly write: TableWrite) {}

  get schema(): Schema {
    return this.write.schema;
  }

  async add(frame: IpcFrame, info: MessageInfo = inspectMessage(frame.header), appMetadata?: Uint8Array): Promise<void> {
    if (info.kind === 'schema') throw invalidArgument('an ingest stream carries one schema, in its first message; this stream sent a second one');
    if (frame.body.byteLength !== info.bodyLength) throw invalidArgument(`malformed Arrow IPC: a message declares a body of ${info.bodyLength} bytes but carries ${frame.body.byteLength}`);
    await this.write.add({ frame, info, ...(appMetadata ? { appMetadata } : {}) });
  }

  async commit(): Promise<CommitSummary> {
    const m = await this.write.commit();
    return { table: m.table, version: m.version, rows: m.added.rows };
  }

  abort(): Promise<void> {
    return this.write.abort();
  }
}

/** A table in a bucket: its files are local copies the storage layer holds while queries use them (object-sql-copies.ts). */
function pinnedOf(store: TableStore, m: Manifest): PinnedTable {
  const dir = store.tableDir(m.table);
  return {
    name: m.table,
    version: m.version,
    files: m.files.map((f) => ({ path: path.join(dir, f.path), format: f.format, rows: f.rows })),
    schema: decodeSchema(schemaBytes(m)),
  };
}
