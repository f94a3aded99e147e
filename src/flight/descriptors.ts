// What a FlightDescriptor asks for. PATH descriptors name a table (elements joined by '/');
// CMD descriptors carry JSON:
//   {"table": "t", "version": 3, "columns": ["a", "b"]}   a read (time travel, projection)
//   {"table": "t", "mode": "append" | "overwrite" | "create"} a write
import { invalidArgument } from '../errors.ts';
import { validateTableName } from '../table-names.ts';
import type { WriteMode } from '../storage/commit.ts';

export interface ReadRequest {
  table: string;
  version?: number;
  columns?: string[];
}

export interface WriteRequest {
  table: string;
  mode: WriteMode;
}

const CMD_HELP = 'a CMD descriptor holds JSON such as {"table": "name", "version": 2, "columns": ["a"]} or {"table": "name", "mode": "append"}';
const MODES: WriteMode[] = ['append', 'overwrite', 'create'];

/** Descriptor fields as both grpc-js (generated types) and our FlightData codec present them. */
export interface DescriptorLike {
  type: string | number;
  cmd: Uint8Array;
  path: string[];
}

export function readRequest(d: DescriptorLike | null | undefined): ReadRequest {
  const parsed = parse(d);
  if ('mode' in parsed.json) throw invalidArgument(`"mode" belongs to DoPut descriptors; ${CMD_HELP}`);
  const req: ReadRequest = { table: parsed.table };
  const { version, columns } = parsed.json;
  if (version !== undefined) {
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) throw invalidArgument(`"version" must be a positive integer, got ${JSON.stringify(version)}`);
    req.version = version;
  }
  if (columns !== undefined) {
    if (!Array.isArray(columns) || columns.length === 0 || !columns.every((c) => typeof c === 'string')) throw invalidArgument(`"columns" must be a non-empty list of column names, got ${JSON.stringify(columns)}`);
    req.columns = columns as string[];
  }
  return req;
}

export function writeRequest(d: DescriptorLike | null | undefined): WriteRequest {
  const parsed = parse(d);
  if ('version' in parsed.json || 'columns' in parsed.json) throw invalidArgument(`"version" and "columns" belong to read descriptors; ${CMD_HELP}`);
  const mode = parsed.json.mode ?? 'append';
  if (!MODES.includes(mode as WriteMode)) throw invalidArgument(`"mode" must be one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  return { table: parsed.table, mode: mode as WriteMode };
}

function parse(d: DescriptorLike | null | undefined): { table: string; json: Record<string, unknown> } {
  if (!d) throw invalidArgument('missing FlightDescriptor: give a PATH descriptor naming the table, or ' + CMD_HELP);
  const type = typeof d.type === 'number' ? ['UNKNOWN', 'PATH', 'CMD'][d.type] : d.type;
  if (type === 'PATH') {
    if (d.path.length === 0) throw invalidArgument('PATH descriptor has no elements: give the table name as its path');
    return { table: validateTableName(d.path.join('/')), json: {} };
  }
  if (type === 'CMD') {
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(d.cmd).toString('utf8'));
    } catch (e) {
      throw invalidArgument(`CMD descriptor is not valid JSON (${(e as Error).message}); ${CMD_HELP}`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalidArgument(`CMD descriptor must be a JSON object; ${CMD_HELP}`);
    const obj = json as Record<string, unknown>;
    const unknown = Object.keys(obj).filter((k) => !['table', 'version', 'columns', 'mode'].includes(k));
    if (unknown.length > 0) throw invalidArgument(`CMD descriptor has unknown keys ${unknown.join(', ')}; ${CMD_HELP}`);
    if (typeof obj.table !== 'string') throw invalidArgument(`CMD descriptor needs a "table" string; ${CMD_HELP}`);
    return { table: validateTableName(obj.table), json: obj };
  }
  throw invalidArgument(`descriptor type ${String(d.type)} is not supported: use PATH or CMD`);
}

