// What a Flight SQL handle holds. Handles are stateless: the SQL, the table versions its plan
// pinned and any bound parameters travel inside the handle itself, so any replica can execute a
// ticket another replica planned, and a server restart loses nothing. Plain JSON behind a
// prefix (readable in a log), bounded in size because clients send it back in every call.
import { QuiverError, invalidArgument } from '../errors.ts';

/** The table versions a plan read, by table name, with the incarnation each belonged to. */
export type Pins = Record<string, { version: number; tableId: string }>;

export interface StatementHandle {
  sql: string;
  /** Absent in a prepared statement's handle: it pins the versions current when it is executed. */
  pins?: Pins;
  /** Bound parameters: an Arrow IPC stream (schema + record batches), base64. */
  params?: string;
}

/** A ticket for the one-row result of a statement that already ran when it was planned (DDL, DML). */
export interface CountHandle {
  count: number;
}

const PREFIX = 'quiver-sql1:';
/** Parameters beyond this are refused: the handle rides in every later call of the statement. */
export const MAX_PARAMETER_BYTES = 2 * 1024 * 1024;

export function encodeHandle(h: StatementHandle | CountHandle): Buffer {
  if ('params' in h && h.params !== undefined && h.params.length * 0.75 > MAX_PARAMETER_BYTES) {
    throw new QuiverError('RESOURCE_EXHAUSTED', `the bound parameters take more than ${MAX_PARAMETER_BYTES} bytes; bind fewer rows per execution (or use bulk ingestion for loading data)`);
  }
  return Buffer.from(PREFIX + JSON.stringify(h), 'utf8');
}

export function decodeHandle(bytes: Uint8Array): StatementHandle | CountHandle {
  const text = Buffer.from(bytes).toString('utf8');
  if (!text.startsWith(PREFIX)) throw invalidArgument('not a quiver statement handle: use the handle CreatePreparedStatement or GetFlightInfo returned');
  let h: unknown;
  try {
    h = JSON.parse(text.slice(PREFIX.length));
  } catch {
    throw invalidArgument('corrupt quiver statement handle: prepare the statement again');
  }
  if (isCount(h)) return h;
  const s = h as StatementHandle;
  const ok = typeof s === 'object' && s !== null && typeof s.sql === 'string'
    && (s.params === undefined || typeof s.params === 'string')
    && (s.pins === undefined || (typeof s.pins === 'object' && s.pins !== null
      && Object.values(s.pins).every((p) => Number.isSafeInteger(p?.version) && typeof p?.tableId === 'string')));
  if (!ok) throw invalidArgument('corrupt quiver statement handle: prepare the statement again');
  return s;
}

export function isCount(h: unknown): h is CountHandle {
  return typeof h === 'object' && h !== null && Object.keys(h).length === 1 && Number.isSafeInteger((h as CountHandle).count);
}
