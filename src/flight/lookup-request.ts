// What a DoExchange lookup asks for: its CMD descriptor's JSON,
//   {"table": "customers", "key": "id" | ["a", "b"], "version": 3, "columns": ["id", "name"]}
import { invalidArgument } from '../errors.ts';
import { validateTableName } from '../table-names.ts';
import type { DescriptorLike } from './descriptors.ts';

export interface LookupRequest {
  table: string;
  /** Key column names, the same in the input and the table. */
  key: string[];
  version?: number;
  columns?: string[];
}

export const LOOKUP_HELP = 'DoExchange looks rows up by key: send a CMD descriptor holding JSON such as {"table": "customers", "key": "id"} (optional "version": N, "columns": ["id", "name"]; "key" may list several columns), then record batches holding the key column(s)';
const FIELDS = ['table', 'key', 'version', 'columns'];

export function lookupRequest(d: DescriptorLike | null | undefined): LookupRequest {
  if (!d) throw invalidArgument(`the first DoExchange message carries no FlightDescriptor; ${LOOKUP_HELP}`);
  const type = typeof d.type === 'number' ? ['UNKNOWN', 'PATH', 'CMD'][d.type] : d.type;
  if (type !== 'CMD') throw invalidArgument(`a ${type} descriptor cannot say which column is the key; ${LOOKUP_HELP}`);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(d.cmd).toString('utf8'));
  } catch (e) {
    throw invalidArgument(`the CMD descriptor is not valid JSON (${(e as Error).message}); ${LOOKUP_HELP}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalidArgument(`the CMD descriptor must hold a JSON object; ${LOOKUP_HELP}`);
  const obj = json as Record<string, unknown>;
  const unknown = Object.keys(obj).filter((k) => !FIELDS.includes(k));
  if (unknown.length > 0) throw invalidArgument(`the CMD descriptor has unknown keys ${unknown.map((k) => JSON.stringify(k)).join(', ')}; ${LOOKUP_HELP}`);
  if (typeof obj.table !== 'string') throw invalidArgument(`the CMD descriptor needs a "table" string; ${LOOKUP_HELP}`);
  const key = typeof obj.key === 'string' ? [obj.key] : obj.key;
  if (!isNameList(key)) throw invalidArgument(`"key" must be a column name or a non-empty list of distinct column names, got ${JSON.stringify(obj.key)}; ${LOOKUP_HELP}`);
  const req: LookupRequest = { table: validateTableName(obj.table), key };
  if (obj.version !== undefined) {
    if (typeof obj.version !== 'number' || !Number.isSafeInteger(obj.version) || obj.version < 1) throw invalidArgument(`"version" must be a positive integer, got ${JSON.stringify(obj.version)}`);
    req.version = obj.version;
  }
  if (obj.columns !== undefined) {
    if (!isNameList(obj.columns)) throw invalidArgument(`"columns" must be a non-empty list of distinct column names, got ${JSON.stringify(obj.columns)}`);
    req.columns = obj.columns;
  }
  return req;
}

function isNameList(v: unknown): v is string[] {
  return Array.isArray(v) && v.length > 0 && v.every((c) => typeof c === 'string') && new Set(v).size === v.length;
}
