// A snapshot's manifest: immutable JSON written once per commit. It holds everything a reader
// needs to serve that version without looking at anything newer.

export type FileFormat = 'parquet' | 'arrow-stream';

export interface ColumnStats {
  /** Top-level column name. */
  name: string;
  /** Null where unknown (imported files, whose data quiver has not counted). */
  nullCount: number | null;
  /** Arrow body bytes of this column's buffers (its dictionaries included). */
  arrowBytes: number;
}

export interface DataFile {
  /** Relative to the table directory, e.g. "data/1b9d….parquet". */
  path: string;
  format: FileFormat;
  rows: number;
  /** Size of the file on disk. */
  fileBytes: number;
  /** Arrow IPC body bytes of the batches as they were put (what DoGet sends, less headers). */
  arrowBytes: number;
  /** Row counts of the record batches as put, zero-length ones included; null for imported files. */
  batches: number[] | null;
  /**
   * Base64 app_metadata each record batch was put with (null for none), parallel to `batches`;
   * DoGet sends it back on the same batch. Absent when no batch had any.
   */
  batchMetadata?: (string | null)[];
  columns: ColumnStats[];
}

export type Operation = 'create' | 'append' | 'overwrite' | 'compact';

export interface Manifest {
  formatVersion: 1;
  table: string;
  /** Distinguishes a re-created table from a dropped one of the same name, so old tickets fail. */
  tableId: string;
  version: number;
  parentVersion: number | null;
  operation: Operation;
  committedAt: string;
  /** Base64 of the Schema message flatbuffer as the table's first writer sent it. */
  schema: string;
  files: DataFile[];
  rows: number;
  arrowBytes: number;
  added: { files: number; rows: number };
}

export function manifestFromJson(text: string, origin: string): Manifest {
  const m = JSON.parse(text) as Manifest;
  if (m.formatVersion !== 1 || typeof m.version !== 'number' || !Array.isArray(m.files) || typeof m.schema !== 'string') {
    throw new Error(`${origin} is not a quiver manifest (format version ${String(m.formatVersion)})`);
  }
  return m;
}

export const schemaBytes = (m: Manifest) => new Uint8Array(Buffer.from(m.schema, 'base64'));
