// quiver's own DoAction actions as they travel: each one's request and response types, defined
// once here so that the server that answers them and the typed admin client that sends them
// (and the CLI on top of it) cannot drift apart. Bodies are JSON; every key is snake_case, like
// the rest of quiver's JSON on the wire (the quiver-commit trailer, history, maintenance). The
// names of cluster settings inside cluster-config bodies are not keys of this schema but the
// settings' own names, spelled as in a --config file (readOnly, rowGroupRows, ...).
//
// The request decoders are what the server runs on an action's body: they reject what is not a
// well-formed request with INVALID_ARGUMENT and a usage line. Responses are built by the server
// from these types and read by the client as they are.
import { invalidArgument } from '../errors.ts';

export const ADMIN_ACTIONS = ['drop', 'history', 'import', 'maintenance', 'cluster-status', 'cluster-config', 'cache-clear'] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

// --- drop, history ---------------------------------------------------------------------------

export interface TableRequest {
  table: string;
}
export type DropRequest = TableRequest;
export type HistoryRequest = TableRequest;

/** The answer of `drop`: the name of the table dropped. */
export interface DropResponse {
  dropped: string;
}

/** One result of `history` per retained version, oldest first. */
export interface HistoryEntry {
  version: number;
  operation: string;
  committed_at: string;
  rows: number;
  added_rows: number;
  files: number;
  /** Arrow IPC body bytes of the version's data. */
  bytes: number;
  /** File formats of the version's data files (arrow, parquet). */
  formats: string[];
  /** Data files (and their bytes on disk) landed as Arrow IPC that conversion will turn into Parquet; absent when none. */
  landed_files?: number;
  landed_bytes?: number;
}

// --- import ----------------------------------------------------------------------------------

/** How an import commits: add to the table, create it (refused if it exists) or replace it. */
export type ImportMode = 'append' | 'create' | 'overwrite';

/** The body of `import`: Parquet files from the server's --import-dir to commit as one version. */
export interface ImportRequest {
  table: string;
  /** Paths relative to the server's import directory. */
  files: string[];
  /** Default append. */
  mode?: ImportMode;
  /** Decode every row group once before committing (default true); false trusts the footers. */
  verify?: boolean;
}

/** The answer of `import`: the version it committed. */
export interface ImportResponse {
  table: string;
  version: number;
  rows: number;
  added_rows: number;
  files: number;
}

// --- maintenance -----------------------------------------------------------------------------

/** A maintenance task: expire old versions, compact small files, collect orphaned files. */
export type MaintenanceTask = 'expire' | 'compact' | 'convert' | 'gc';
/** Every maintenance task, in the order a run does them. */
export const MAINTENANCE_TASKS: readonly MaintenanceTask[] = ['expire', 'compact', 'convert', 'gc'];

/** Both fields optional: no table means every table, no tasks means all of them. */
export interface MaintenanceRequest {
  table?: string;
  tasks?: MaintenanceTask[];
}

/** What expiry did to one table: the versions removed, or why the oldest was kept. */
export interface ExpiryStepResult {
  expired: number[];
  manifests_deleted: number;
  files_released: number;
  kept?: { version: number; until: number; reason: 'retention' | 'lease' };
}

/** What compaction did to one table: the new version, or why it did not compact. */
export type CompactionStepResult =
  | { compacted: true; version: number; base_version: number; rebased: boolean; files_before: number; files_after: number; files_rewritten: number; files_written: number }
  | { compacted: false; reason: string; small_files?: number };

/** What one round of conversion to Parquet did to one table, and how much of it is still Arrow IPC. */
export type ConversionStepResult =
  | { converted: true; version: number; base_version: number; rebased: boolean; files_converted: number; files_written: number; arrow_bytes: number; seconds: number; remaining_files: number; remaining_bytes: number }
  | { converted: false; reason: string; remaining_files: number; remaining_bytes: number };

/** What orphan collection removed, and what it kept because it was younger than the grace period. */
export interface GcStepResult {
  deleted_files: number;
  deleted_bytes: number;
  deleted_dirs: number;
  young_kept: number;
  paths: string[];
  errors: { table: string; error: string }[];
}

/** One task's result on one table (or its error), streamed as it finishes. */
export type MaintenanceStep =
  | { task: 'expire'; table: string; result: ExpiryStepResult }
  | { task: 'compact'; table: string; result: CompactionStepResult }
  | { task: 'convert'; table: string; result: ConversionStepResult }
  | { task: 'gc'; table?: string; result: GcStepResult }
  | { task: 'expire' | 'compact' | 'convert'; table: string; error: string };

/** The summary a maintenance run ends with. */
export interface MaintenanceReport {
  trigger: 'schedule' | 'action';
  started_at: string;
  finished_at: string;
  tasks: MaintenanceTask[];
  tables: number;
  expired_versions: number;
  compacted_tables: number;
  converted_tables: number;
  deleted_files: number;
  deleted_bytes: number;
  errors: number;
  steps: MaintenanceStep[];
}

/** The action streams one `{step}` per table and task as it finishes, then one `{report}`. */
export type MaintenanceResult = { step: MaintenanceStep } | { report: MaintenanceReport };

// --- cluster-status, cluster-config ----------------------------------------------------------

/** A cluster replica: its member id and the location clients reach it at. */
export interface MemberInfo {
  id?: string;
  location: string;
  /** In cluster-status members: the member's grpc.health.v1 status for "" (SERVING, NOT_SERVING, UNREACHABLE). */
  health?: string;
}

/** The live cluster config in force on a replica, and what it was changed to. */
export interface ClusterConfigResponse {
  /** Version of the config node in force: -1 when there is none; null when not in a cluster. */
  version: number | null;
  /** What the config node sets (it wins over the replica's own flags), by setting name. */
  cluster: Record<string, unknown>;
  /** The settings the replica works with now, by setting name. */
  effective: Record<string, unknown>;
  /** The newest content of the node that was refused, and why (the settings above stay). */
  rejected?: { version: number; problem: string };
}

/** The answer of `cluster-status`: this replica, its role, the leader, the members and the config. */
export interface ClusterStatusResponse {
  mode: 'local' | 'cluster';
  cluster?: string;
  self: MemberInfo;
  is_leader: boolean;
  /** ZooKeeper session state (cluster mode). */
  session?: string;
  session_id?: string | null;
  leader: MemberInfo | null;
  members: MemberInfo[];
  config?: ClusterConfigResponse;
  /** This replica's health: overall and for writes, and what stops it. */
  health?: { status: string; writes: string; problems: string[] };
}

/** An empty body shows the config; a change sets and removes settings by name. */
export interface ClusterConfigRequest {
  set?: Record<string, unknown>;
  unset?: string[];
}

// --- cache-clear -----------------------------------------------------------------------------

/** The answer of `cache-clear`: how many bytes of decoded files were dropped from memory. */
export interface CacheClearResponse {
  freed_bytes: number;
}

// --- bodies ----------------------------------------------------------------------------------

export function encodeActionBody(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** A result body as its action's response type (the server built it from that type). */
export function decodeActionResult<T>(body: Uint8Array): T {
  return JSON.parse(Buffer.from(body).toString('utf8')) as T;
}

type SnakeKey<S extends string> = S extends `${infer H}${infer T}` ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${SnakeKey<T>}` : S;
/** T with every key turned to snake_case, deeply: what snakeCaseKeys makes of a T. */
export type SnakeCased<T> = T extends readonly (infer U)[]
  ? SnakeCased<U>[]
  : T extends object
    ? { [K in keyof T as K extends string ? SnakeKey<K> : K]: SnakeCased<T[K]> }
    : T;

/** Server-side objects use camelCase; this turns their keys into the wire's snake_case, deeply. */
export function snakeCaseKeys<T>(value: T): SnakeCased<T> {
  return snakeCase(value) as SnakeCased<T>;
}

function snakeCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCase);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeCase(v)]));
}

function bodyText(body: Uint8Array): string {
  return Buffer.from(body).toString('utf8').trim();
}

function jsonObject(text: string, usage: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidArgument(usage);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidArgument(usage);
  return parsed as Record<string, unknown>;
}

function tableRequest(action: string, body: Uint8Array): TableRequest {
  const usage = `${action} takes a JSON body such as {"table": "name"}`;
  const { table } = jsonObject(bodyText(body), usage);
  if (typeof table !== 'string') throw invalidArgument(usage);
  return { table };
}

export const decodeDropRequest = (body: Uint8Array): DropRequest => tableRequest('drop', body);
export const decodeHistoryRequest = (body: Uint8Array): HistoryRequest => tableRequest('history', body);

/** The import request with its defaults filled in. */
export function decodeImportRequest(body: Uint8Array): Required<ImportRequest> {
  const usage = 'import takes a JSON body such as {"table": "name", "files": ["part-1.parquet"], "mode": "append"}';
  const { table, files, mode = 'append', verify = true } = jsonObject(bodyText(body), usage);
  if (typeof table !== 'string' || !Array.isArray(files) || !files.every((f) => typeof f === 'string')) throw invalidArgument(usage);
  if (mode !== 'append' && mode !== 'create' && mode !== 'overwrite') throw invalidArgument(`"mode" must be append, create or overwrite; ${usage}`);
  if (typeof verify !== 'boolean') throw invalidArgument(`"verify" must be true or false; ${usage}`);
  return { table, files: files as string[], mode, verify };
}

export function decodeMaintenanceRequest(body: Uint8Array): MaintenanceRequest {
  const usage = `maintenance takes an empty body or JSON such as {"table": "name", "tasks": [${MAINTENANCE_TASKS.map((t) => `"${t}"`).join(', ')}]}`;
  const text = bodyText(body);
  if (text === '') return {};
  const { table, tasks, ...rest } = jsonObject(text, usage);
  if (Object.keys(rest).length > 0) throw invalidArgument(`unknown field ${JSON.stringify(Object.keys(rest)[0])}; ${usage}`);
  if (table !== undefined && typeof table !== 'string') throw invalidArgument(`"table" must be a string; ${usage}`);
  if (tasks !== undefined && (!Array.isArray(tasks) || tasks.length === 0 || !tasks.every((t) => MAINTENANCE_TASKS.includes(t as MaintenanceTask)))) {
    throw invalidArgument(`"tasks" must be a non-empty list of ${MAINTENANCE_TASKS.join(', ')}; ${usage}`);
  }
  return { ...(table !== undefined ? { table } : {}), ...(tasks ? { tasks: tasks as MaintenanceTask[] } : {}) };
}

/** Null for an empty body (show the config); otherwise the change, both parts present. */
export function decodeClusterConfigRequest(body: Uint8Array): Required<ClusterConfigRequest> | null {
  const text = bodyText(body);
  if (text === '') return null;
  const usage = 'cluster-config takes an empty body, or JSON {"set": {"KEY": VALUE, ...}, "unset": ["KEY", ...]}';
  const { set = {}, unset = [] } = jsonObject(text, usage);
  if (set === null || typeof set !== 'object' || Array.isArray(set) || !Array.isArray(unset) || !unset.every((k) => typeof k === 'string')) throw invalidArgument(usage);
  return { set: set as Record<string, unknown>, unset: unset as string[] };
}
