// What a follow descriptor asks for, and the follow ticket that pins it. A CMD descriptor
//   {"table": "t", "follow": true, "from_version": 5, "columns": ["a", "b"]}
// follows table t from version 5 on (default: after the version current when GetFlightInfo
// answers, so that only new commits follow). `wait_ms` bounds one PollFlightInfo long poll.
// Tickets are JSON like read tickets, under their own prefix, so DoGet tells them apart.
import { invalidArgument } from '../errors.ts';
import type { DescriptorLike } from '../flight/descriptors.ts';
import { validateTableName } from '../table-names.ts';

export interface FollowRequest {
  table: string;
  fromVersion?: number;
  columns?: string[];
  /** PollFlightInfo only: how long to wait for the next version before answering "not yet". */
  waitMs?: number;
}

export interface FollowTicket {
  table: string;
  /** The table incarnation followed: a drop (and re-create) ends the stream. */
  tableId: string;
  /** The first version sent. */
  from: number;
  /** The last version sent, for the bounded tickets PollFlightInfo hands out; open-ended without. */
  until?: number;
  columns?: string[];
}

const KEYS = ['table', 'follow', 'from_version', 'columns', 'wait_ms'];
const HELP = 'a follow descriptor holds JSON such as {"table": "name", "follow": true, "from_version": 3, "columns": ["a"]}';
export const MAX_POLL_WAIT_MS = 60_000;
const PREFIX = 'quiver-follow1:';

/** The descriptor's JSON when it is a follow descriptor (CMD JSON with "follow": true), else null. */
function followJson(d: DescriptorLike | null | undefined): Record<string, unknown> | null {
  if (!d) return null;
  const type = typeof d.type === 'number' ? ['UNKNOWN', 'PATH', 'CMD'][d.type] : d.type;
  if (type !== 'CMD') return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(d.cmd).toString('utf8'));
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json) || !('follow' in json)) return null;
  return json as Record<string, unknown>;
}

export function isFollowDescriptor(d: DescriptorLike | null | undefined): boolean {
  return followJson(d) !== null;
}

export function followRequest(d: DescriptorLike | null | undefined): FollowRequest {
  const json = followJson(d);
  if (!json) throw invalidArgument(`not a follow descriptor; ${HELP}`);
  if (json.follow !== true) throw invalidArgument(`"follow" must be true, got ${JSON.stringify(json.follow)}; ${HELP}`);
  const unknown = Object.keys(json).filter((k) => !KEYS.includes(k));
  if (unknown.length > 0) throw invalidArgument(`follow descriptor has unknown keys ${unknown.join(', ')} (a follow reads every version from from_version on, so "version" and "mode" do not apply); ${HELP}`);
  if (typeof json.table !== 'string') throw invalidArgument(`follow descriptor needs a "table" string; ${HELP}`);
  const req: FollowRequest = { table: validateTableName(json.table) };
  if (json.from_version !== undefined) {
    if (!Number.isSafeInteger(json.from_version) || (json.from_version as number) < 1) throw invalidArgument(`"from_version" must be a positive integer, got ${JSON.stringify(json.from_version)}`);
    req.fromVersion = json.from_version as number;
  }
  if (json.columns !== undefined) {
    const c = json.columns;
    if (!Array.isArray(c) || c.length === 0 || !c.every((x) => typeof x === 'string')) throw invalidArgument(`"columns" must be a non-empty list of column names, got ${JSON.stringify(c)}`);
    req.columns = c as string[];
  }
  if (json.wait_ms !== undefined) {
    const w = json.wait_ms;
    if (!Number.isSafeInteger(w) || (w as number) < 0 || (w as number) > MAX_POLL_WAIT_MS) throw invalidArgument(`"wait_ms" must be an integer from 0 to ${MAX_POLL_WAIT_MS}, got ${JSON.stringify(w)}`);
    req.waitMs = w as number;
  }
  return req;
}

/** The descriptor of a follow from `fromVersion` (what PollFlightInfo hands back to poll again). */
export function followDescriptor(req: FollowRequest, fromVersion: number): { type: 'CMD'; cmd: Buffer } {
  const cmd = { table: req.table, follow: true, from_version: fromVersion, ...(req.columns ? { columns: req.columns } : {}), ...(req.waitMs !== undefined ? { wait_ms: req.waitMs } : {}) };
  return { type: 'CMD', cmd: Buffer.from(JSON.stringify(cmd)) };
}

export function isFollowTicket(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, PREFIX.length)).toString('utf8') === PREFIX;
}

export function encodeFollowTicket(t: FollowTicket): Buffer {
  return Buffer.from(PREFIX + JSON.stringify(t), 'utf8');
}

export function decodeFollowTicket(bytes: Uint8Array): FollowTicket {
  const text = Buffer.from(bytes).toString('utf8');
  let t: FollowTicket;
  try {
    t = JSON.parse(text.slice(PREFIX.length)) as FollowTicket;
  } catch {
    throw invalidArgument('corrupt quiver follow ticket: get a fresh one from GetFlightInfo');
  }
  const ok = typeof t === 'object' && t !== null && typeof t.table === 'string' && typeof t.tableId === 'string' && Number.isSafeInteger(t.from) && t.from >= 1
    && (t.until === undefined || (Number.isSafeInteger(t.until) && t.until >= t.from))
    && (t.columns === undefined || (Array.isArray(t.columns) && t.columns.every((c) => typeof c === 'string')));
  if (!ok) throw invalidArgument('corrupt quiver follow ticket: get a fresh one from GetFlightInfo');
  validateTableName(t.table);
  return t;
}
