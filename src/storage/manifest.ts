// A snapshot's manifest: immutable JSON written once per commit. It holds everything a reader
// needs to serve that version without looking at anything newer.
import { QuiverError } from '../errors.ts';
import { tablePath } from './table-paths.ts';

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

export type Operation = 'create' | 'append' | 'overwrite' | 'compact' | 'convert';

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

/**
 * Decodes a manifest file's text. A manifest is written once and fsynced before it is
 * published, so one that does not decode is damage on disk: DATA_LOSS naming the file.
 */
export function manifestFromJson(text: string, origin: string): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch (e) {
    throw damaged(origin, `it is not JSON (${(e as Error).message})`, e);
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw damaged(origin, 'it is not a JSON object');
  if (m.formatVersion !== 1) throw damaged(origin, `format version ${String(m.formatVersion)}, not 1`);
  const missing = REQUIRED.filter(([key, ok]) => !ok((m as unknown as Record<string, unknown>)[key])).map(([key]) => key);
  if (missing.length > 0) throw damaged(origin, `field${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing or of the wrong type`);
  // Every path is joined to the table directory to read, compact or release the file.
  for (const f of m.files) {
    try {
      tablePath(f.path, ['data'], 'a data file');
    } catch {
      throw damaged(origin, `its data file ${JSON.stringify(f.path)} is not a file of the table's data/ directory; nothing was read or deleted`);
    }
  }
  return m;
}

const isString = (v: unknown) => typeof v === 'string';
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const REQUIRED: [keyof Manifest, (v: unknown) => boolean][] = [
  ['table', isString],
  ['tableId', isString],
  ['version', (v) => isCount(v) && (v as number) >= 1],
  ['operation', isString],
  ['committedAt', isString],
  ['schema', isString],
  ['files', (v) => Array.isArray(v) && v.every((f) => typeof f === 'object' && f !== null && isString((f as DataFile).path) && isCount((f as DataFile).rows))],
  ['rows', isCount],
  ['arrowBytes', isCount],
  ['added', (v) => typeof v === 'object' && v !== null],
];

function damaged(origin: string, why: string, cause?: unknown): QuiverError {
  return new QuiverError('DATA_LOSS', `manifest ${origin} is damaged: ${why}; restore it from a backup`, { cause });
}

/**
 * The manifest found in table `name`'s directory must be that table's: its data file paths are
 * joined to the directory of the table it names.
 */
export function manifestOfTable(m: Manifest, name: string, origin: string): Manifest {
  if (m.table !== name) throw damaged(origin, `it belongs to table ${JSON.stringify(m.table)}, not ${JSON.stringify(name)}; nothing was read`);
  return m;
}

export const schemaBytes = (m: Manifest) => new Uint8Array(Buffer.from(m.schema, 'base64'));
