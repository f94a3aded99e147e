// Server configuration: defaults < JSON file (--config) < environment (QUIVER_*) < flags.
import fs from 'node:fs';
import { OBJECT_STORE_OPTIONS, type ObjectStoreSettings } from '../object-store/store-config.ts';
import type { ParquetCompression } from '../storage/parquet-files.ts';
import type { LogFormat, LogLevel } from './logger.ts';

/** Every setting of `quiver serve`; `quiver serve --help` names each one's flag and environment variable. */
export interface ServerConfig extends ObjectStoreSettings {
  host: string;
  port: number;
  /** A data directory, or `s3://bucket/prefix` (then the object store settings apply: docs/object-store.md). */
  data: string;
  /** The location endpoints advertise; derived from host and port when absent. */
  advertise?: string;
  /** ZooKeeper connect string (host:port,...): set, the server is a replica of a cluster. */
  zk?: string;
  /** Cluster name: replicas with the same name and ZooKeeper form one cluster. */
  cluster: string;
  zkSessionTimeoutMs: number;
  /** Directory the import action may read Parquet files from; unset disables imports. */
  importDir?: string;
  /** PEM certificate chain and key: set, the server speaks TLS (grpc+tls://). */
  tlsCert?: string;
  tlsKey?: string;
  /** PEM CA bundle: set, clients must present a certificate it signed (mutual TLS). */
  tlsClientCa?: string;
  /** PEM CA bundle a replica trusts when it calls another (forwarding to the leader). */
  tlsPeerCa?: string;
  /** "none", "basic:USER:PASS" (repeatable, comma-separated) or "token-file:PATH". */
  auth: string;
  /** Users with hashed passwords and roles (src/server/users-file.ts); `quiver users add` writes it. */
  usersFile?: string;
  /** The secret bearer tokens are signed with; default: `token-secret` in the data root, generated once (mode 0600). */
  tokenSecretFile?: string;
  /** ZooKeeper digest credentials USER:PASSWORD: quiver's znodes get an ACL only they satisfy. */
  zkAuth?: string;
  /** A file holding the ZooKeeper digest credentials USER:PASSWORD (instead of --zk-auth). */
  zkAuthFile?: string;
  /** Refuse DoPut, drop and import (reads go on); a cluster's config node can set it live. */
  readOnly: boolean;
  compression: ParquetCompression;
  rowGroupRows: number;
  maxBufferedBytes: number;
  retentionMs: number;
  endpointBytes: number;
  /** Memory for decoded data files kept for DoGet; 0 turns the cache off. */
  cacheBytes: number;
  /** Memory for DoExchange lookup indexes (a table's decoded rows and its key index). */
  lookupIndexBytes: number;
  /**
   * Largest gRPC message the server receives, checked by grpc-js before any handler or
   * authentication runs, on the wire and again as it decompresses (grpc-encoding gzip); -1 for
   * no limit. pyarrow and Java do not split batches, so keep it above the largest batch clients send.
   */
  maxMessageBytes: number;
  /** Calls one HTTP/2 connection may have open at once (its SETTINGS_MAX_CONCURRENT_STREAMS). */
  maxStreamsPerConnection: number;
  /** Client connections open at once; a connection over it is closed as it arrives. */
  maxConnections: number;
  /** A call that waits this long on its client (a reader that stops reading, a Handshake that sends nothing) is cancelled. */
  stallTimeoutMs: number;
  /** A connection with no call open for this long is closed (clients reconnect transparently). */
  idleConnectionTimeoutMs: number;
  /** Endpoint leases (RenewFlightEndpoint) and cancelled-ticket records (CancelFlightInfo) kept at once, each. */
  maxEndpointLeases: number;
  /** Rows one DoExchange input batch may be answered with; over it the call is RESOURCE_EXHAUSTED. */
  maxLookupAnswerRows: number;
  shutdownGraceMs: number;
  /** Port of the operations HTTP server (Prometheus /metrics); unset: none. 0 picks a free one. */
  metricsPort?: number;
  /** On SIGTERM, how long health reports NOT_SERVING before the port closes (load balancers move away). */
  drainDelayMs: number;
  logLevel: LogLevel;
  /** json (one object per line, the default) or text. */
  logFormat: LogFormat;
  /** Leader-only maintenance (src/storage/maintenance): 0 turns the periodic loop off. */
  maintenanceIntervalMs: number;
  gcGraceMs: number;
  compactMinFiles: number;
  compactSmallFileBytes: number;
  /** Flight SQL (DuckDB) memory for all queries running at once, bytes; unset: DuckDB's default (80% of RAM). */
  sqlMemoryLimitBytes?: number;
  /** Bytes of Arrow IPC data files Flight SQL keeps loaded for later queries; unset: a quarter of the memory limit. */
  sqlIpcCacheBytes?: number;
  /** How DoPut stores streams: 'ipc' lands Arrow IPC files that conversion settles into Parquet; 'parquet' writes Parquet at once. */
  landing: 'ipc' | 'parquet';
  /** Stops the conversion of landed Arrow IPC files to Parquet (live in the cluster config). */
  convertPaused: boolean;
  /** Arrow bytes per second conversion may read and encode; 0: as fast as it can (live in the cluster config). */
  convertRateBytes: number;
  /** Landed (not yet converted) bytes of one table past which DoPut to it waits; 0: no limit. */
  maxTableLandedBytes: number;
  /** Landed bytes of all tables past which DoPut waits; 0: no limit. */
  maxLandedBytes: number;
  /** How long a DoPut waits for conversion to bring landed bytes under a limit before RESOURCE_EXHAUSTED. */
  landedWaitMs: number;
  /** Longest a Flight SQL query may run before DEADLINE_EXCEEDED; 0: no limit. */
  sqlTimeLimitMs: number;
  /** Flight SQL queries running at once (twice as many more may wait; beyond that UNAVAILABLE). */
  sqlMaxQueries: number;
}

interface OptionSpec {
  key: keyof ServerConfig;
  flag: string;
  env: string;
  help: string;
  parse: (raw: string) => unknown;
}

const COMPRESSIONS = ['zstd', 'snappy', 'gzip', 'lz4', 'brotli', 'none'];
const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'];

export const DEFAULTS: ServerConfig = {
  host: 'localhost',
  port: 8815,
  data: './data',
  auth: 'none',
  cluster: 'default',
  zkSessionTimeoutMs: 10_000,
  readOnly: false,
  compression: 'zstd',
  rowGroupRows: 1_048_576,
  maxBufferedBytes: 256 * 1024 * 1024,
  retentionMs: 7 * 24 * 3600 * 1000,
  endpointBytes: 1024 * 1024 * 1024,
  cacheBytes: 512 * 1024 * 1024,
  lookupIndexBytes: 512 * 1024 * 1024,
  maxMessageBytes: 256 * 1024 * 1024,
  maxStreamsPerConnection: 100,
  maxConnections: 1000,
  stallTimeoutMs: 60_000,
  idleConnectionTimeoutMs: 5 * 60_000,
  maxEndpointLeases: 100_000,
  maxLookupAnswerRows: 4_000_000,
  shutdownGraceMs: 30_000,
  drainDelayMs: 0,
  logLevel: 'info',
  logFormat: 'json',
  maintenanceIntervalMs: 10 * 60_000,
  gcGraceMs: 3_600_000,
  compactMinFiles: 8,
  compactSmallFileBytes: 32 * 1024 * 1024,
  sqlTimeLimitMs: 0,
  sqlMaxQueries: 4,
  landing: 'ipc',
  convertPaused: false,
  convertRateBytes: 0,
  maxTableLandedBytes: 8 * 1024 ** 3,
  maxLandedBytes: 16 * 1024 ** 3,
  landedWaitMs: 30_000,
};

const int = (name: string, min: number) => (raw: string) => {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return n;
};
const bool = (name: string) => (raw: string) => {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new Error(`${name} must be true or false, got ${JSON.stringify(raw)}`);
};
const oneOf = (name: string, values: string[]) => (raw: string) => {
  if (!values.includes(raw)) throw new Error(`${name} must be one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw;
};

export function parseDuration(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!m) throw new Error(`not a duration: ${JSON.stringify(raw)} (use e.g. 500ms, 30s, 15m, 12h, 7d)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms') as 'ms'];
  return Math.round(Number(m[1]) * unit);
}

export function parseBytes(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?$/i.exec(raw.trim());
  if (!m) throw new Error(`not a size: ${JSON.stringify(raw)} (use e.g. 0, 64MiB, 2GiB)`);
  const units: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };
  return Math.round(Number(m[1]) * units[(m[2] ?? 'b').toLowerCase()]!);
}

export const OPTIONS: OptionSpec[] = [
  { key: 'host', flag: '--host', env: 'QUIVER_HOST', help: 'interface to listen on', parse: String },
  { key: 'port', flag: '--port', env: 'QUIVER_PORT', help: 'port to listen on; 0 picks a free one', parse: int('--port', 0) },
  { key: 'data', flag: '--data', env: 'QUIVER_DATA', help: 'data directory, or s3://bucket/prefix to keep tables in an S3-compatible bucket (docs/object-store.md)', parse: String },
  { key: 'advertise', flag: '--advertise', env: 'QUIVER_ADVERTISE', help: 'location clients are told to use, e.g. grpc+tcp://host:port (grpc+tls:// with --tls-cert)', parse: String },
  { key: 'zk', flag: '--zk', env: 'QUIVER_ZK', help: 'ZooKeeper host:port[,host:port...]: run as a cluster replica (needs a shared --data and --advertise)', parse: String },
  { key: 'cluster', flag: '--cluster', env: 'QUIVER_CLUSTER', help: 'cluster name under ZooKeeper (letters, digits, - and _)', parse: String },
  { key: 'zkSessionTimeoutMs', flag: '--zk-session-timeout', env: 'QUIVER_ZK_SESSION_TIMEOUT', help: 'ZooKeeper session timeout (e.g. 10s)', parse: parseDuration },
  { key: 'importDir', flag: '--import-dir', env: 'QUIVER_IMPORT_DIR', help: 'directory the import action may read Parquet files from', parse: String },
  { key: 'tlsCert', flag: '--tls-cert', env: 'QUIVER_TLS_CERT', help: 'PEM certificate chain: serve TLS (grpc+tls://) with it and --tls-key', parse: String },
  { key: 'tlsKey', flag: '--tls-key', env: 'QUIVER_TLS_KEY', help: 'PEM private key of --tls-cert', parse: String },
  { key: 'tlsClientCa', flag: '--tls-client-ca', env: 'QUIVER_TLS_CLIENT_CA', help: 'PEM CA bundle: require client certificates it signed (mutual TLS)', parse: String },
  { key: 'tlsPeerCa', flag: '--tls-peer-ca', env: 'QUIVER_TLS_PEER_CA', help: 'PEM CA bundle replicas trust when forwarding writes to the leader (default: --tls-client-ca, else the system roots)', parse: String },
  { key: 'auth', flag: '--auth', env: 'QUIVER_AUTH', help: 'none | basic:USER:PASS[,USER:PASS] | token-file:PATH', parse: String },
  { key: 'usersFile', flag: '--users-file', env: 'QUIVER_USERS_FILE', help: 'users with roles (read, write, admin) and scrypt password hashes; `quiver users add` writes it', parse: String },
  { key: 'tokenSecretFile', flag: '--token-secret-file', env: 'QUIVER_TOKEN_SECRET_FILE', help: 'secret that signs bearer tokens (default: DATA/token-secret, generated with mode 0600; replicas share it)', parse: String },
  { key: 'zkAuth', flag: '--zk-auth', env: 'QUIVER_ZK_AUTH', help: 'ZooKeeper digest credentials USER:PASSWORD; quiver\'s znodes are then writable by them only', parse: String },
  { key: 'zkAuthFile', flag: '--zk-auth-file', env: 'QUIVER_ZK_AUTH_FILE', help: 'file holding the ZooKeeper digest credentials USER:PASSWORD (keeps them out of the process list)', parse: String },
  { key: 'readOnly', flag: '--read-only', env: 'QUIVER_READ_ONLY', help: 'true: refuse writes (DoPut, drop, import), pause maintenance, keep serving reads', parse: bool('--read-only') },
  { key: 'compression', flag: '--compression', env: 'QUIVER_COMPRESSION', help: `Parquet compression: ${COMPRESSIONS.join(', ')}`, parse: oneOf('--compression', COMPRESSIONS) },
  { key: 'rowGroupRows', flag: '--row-group-rows', env: 'QUIVER_ROW_GROUP_ROWS', help: 'rows per Parquet row group (and file)', parse: int('--row-group-rows', 1) },
  { key: 'maxBufferedBytes', flag: '--max-buffered-bytes', env: 'QUIVER_MAX_BUFFERED_BYTES', help: 'Arrow bytes a DoPut buffers before writing a Parquet file', parse: int('--max-buffered-bytes', 1) },
  { key: 'retentionMs', flag: '--retention', env: 'QUIVER_RETENTION', help: 'how long a superseded version stays readable (e.g. 7d, 12h)', parse: parseDuration },
  { key: 'endpointBytes', flag: '--endpoint-bytes', env: 'QUIVER_ENDPOINT_BYTES', help: 'Arrow bytes per FlightInfo endpoint', parse: int('--endpoint-bytes', 1) },
  { key: 'cacheBytes', flag: '--cache-bytes', env: 'QUIVER_CACHE_BYTES', help: 'memory for decoded data files served by DoGet (e.g. 512MiB; 0 turns it off)', parse: parseBytes },
  { key: 'lookupIndexBytes', flag: '--lookup-index-bytes', env: 'QUIVER_LOOKUP_INDEX_BYTES', help: 'memory for DoExchange lookup indexes, least recently used evicted (e.g. 512MiB)', parse: parseBytes },
  { key: 'maxMessageBytes', flag: '--max-message-bytes', env: 'QUIVER_MAX_MESSAGE_BYTES', help: 'largest gRPC message received, compressed or not (checked before authentication); -1 for no limit', parse: int('--max-message-bytes', -1) },
  { key: 'maxStreamsPerConnection', flag: '--max-streams-per-connection', env: 'QUIVER_MAX_STREAMS_PER_CONNECTION', help: 'calls one connection may have open at once (HTTP/2 max concurrent streams)', parse: int('--max-streams-per-connection', 1) },
  { key: 'maxConnections', flag: '--max-connections', env: 'QUIVER_MAX_CONNECTIONS', help: 'client connections open at once; more are closed as they arrive', parse: int('--max-connections', 1) },
  { key: 'stallTimeoutMs', flag: '--stall-timeout', env: 'QUIVER_STALL_TIMEOUT', help: 'cancel a call that waits this long on its client: a reader that stops reading, a Handshake that sends nothing (e.g. 60s)', parse: parseDuration },
  { key: 'idleConnectionTimeoutMs', flag: '--idle-connection-timeout', env: 'QUIVER_IDLE_CONNECTION_TIMEOUT', help: 'close a connection with no call open for this long (e.g. 5m)', parse: parseDuration },
  { key: 'maxEndpointLeases', flag: '--max-endpoint-leases', env: 'QUIVER_MAX_ENDPOINT_LEASES', help: 'endpoint leases (RenewFlightEndpoint) and cancelled tickets (CancelFlightInfo) remembered at once, each', parse: int('--max-endpoint-leases', 1) },
  { key: 'maxLookupAnswerRows', flag: '--max-lookup-answer-rows', env: 'QUIVER_MAX_LOOKUP_ANSWER_ROWS', help: 'rows one DoExchange input batch may be answered with; more is RESOURCE_EXHAUSTED', parse: int('--max-lookup-answer-rows', 1) },
  { key: 'shutdownGraceMs', flag: '--shutdown-grace', env: 'QUIVER_SHUTDOWN_GRACE', help: 'how long SIGTERM waits for calls in flight', parse: parseDuration },
  { key: 'metricsPort', flag: '--metrics-port', env: 'QUIVER_METRICS_PORT', help: 'serve Prometheus metrics at http://HOST:PORT/metrics (default: off; 0 picks a free port)', parse: int('--metrics-port', 0) },
  { key: 'drainDelayMs', flag: '--drain-delay', env: 'QUIVER_DRAIN_DELAY', help: 'on SIGTERM, how long health reports NOT_SERVING before the port closes (e.g. 5s)', parse: parseDuration },
  { key: 'logLevel', flag: '--log-level', env: 'QUIVER_LOG_LEVEL', help: LEVELS.join(' | '), parse: oneOf('--log-level', LEVELS) },
  { key: 'logFormat', flag: '--log-format', env: 'QUIVER_LOG_FORMAT', help: 'json (one object per line) | text', parse: oneOf('--log-format', ['json', 'text']) },
  { key: 'maintenanceIntervalMs', flag: '--maintenance-interval', env: 'QUIVER_MAINTENANCE_INTERVAL', help: 'how often the leader expires versions, compacts and collects orphans (e.g. 10m; 0 turns it off)', parse: parseDuration },
  { key: 'gcGraceMs', flag: '--gc-grace', env: 'QUIVER_GC_GRACE', help: 'age an unreferenced file must reach before it is deleted (writes under way here are always spared; e.g. 1h)', parse: parseDuration },
  { key: 'compactMinFiles', flag: '--compact-min-files', env: 'QUIVER_COMPACT_MIN_FILES', help: 'compact a table once its current version has this many small files', parse: int('--compact-min-files', 2) },
  { key: 'sqlMemoryLimitBytes', flag: '--sql-memory-limit', env: 'QUIVER_SQL_MEMORY_LIMIT', help: 'memory Flight SQL queries running at once may use together (e.g. 2GiB; default: DuckDB\'s, 80% of RAM); over it a query fails RESOURCE_EXHAUSTED', parse: parseBytes },
  { key: 'sqlIpcCacheBytes', flag: '--sql-ipc-cache', env: 'QUIVER_SQL_IPC_CACHE', help: 'Arrow IPC data files Flight SQL keeps loaded for later queries, in bytes (e.g. 1GiB; default: a quarter of --sql-memory-limit; 0: load per query)', parse: parseBytes },
  { key: 'sqlTimeLimitMs', flag: '--sql-time-limit', env: 'QUIVER_SQL_TIME_LIMIT', help: 'longest a Flight SQL query runs before DEADLINE_EXCEEDED (e.g. 30s; 0: no limit)', parse: parseDuration },
  { key: 'sqlMaxQueries', flag: '--sql-max-queries', env: 'QUIVER_SQL_MAX_QUERIES', help: 'Flight SQL queries running at once; twice as many more wait, beyond that UNAVAILABLE', parse: int('--sql-max-queries', 1) },
  { key: 'landing', flag: '--landing', env: 'QUIVER_LANDING', help: 'how DoPut stores streams: ipc (Arrow IPC files, converted to Parquet in the background) | parquet (encoded while the stream arrives)', parse: oneOf('--landing', ['ipc', 'parquet']) },
  { key: 'convertPaused', flag: '--convert-paused', env: 'QUIVER_CONVERT_PAUSED', help: 'true: do not convert landed Arrow IPC files to Parquet (live in the cluster config)', parse: bool('--convert-paused') },
  { key: 'convertRateBytes', flag: '--convert-rate', env: 'QUIVER_CONVERT_RATE', help: 'Arrow bytes per second conversion to Parquet may process (e.g. 50MB; 0: no limit; live in the cluster config)', parse: parseBytes },
  { key: 'maxTableLandedBytes', flag: '--max-table-landed-bytes', env: 'QUIVER_MAX_TABLE_LANDED_BYTES', help: 'unconverted Arrow IPC bytes of one table past which DoPut to it waits for conversion (e.g. 8GiB; 0: no limit)', parse: parseBytes },
  { key: 'maxLandedBytes', flag: '--max-landed-bytes', env: 'QUIVER_MAX_LANDED_BYTES', help: 'unconverted Arrow IPC bytes of all tables past which DoPut waits for conversion (e.g. 16GiB; 0: no limit)', parse: parseBytes },
  { key: 'landedWaitMs', flag: '--landed-wait', env: 'QUIVER_LANDED_WAIT', help: 'how long a DoPut over a landed-bytes limit waits before RESOURCE_EXHAUSTED (e.g. 30s)', parse: parseDuration },
  { key: 'compactSmallFileBytes', flag: '--compact-small-bytes', env: 'QUIVER_COMPACT_SMALL_BYTES', help: 'data files smaller than this on disk are small (e.g. 32MiB)', parse: parseBytes },
  // --data s3://...: where the bucket is, how to sign in, and the local disk cache.
  ...OBJECT_STORE_OPTIONS.map(({ key, flag, env, help, parse }) => ({ key, flag, env, help, parse })),
];

export function resolveConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const config: Record<string, unknown> = { ...DEFAULTS };
  const flags = parseFlags(argv);
  const file = flags.get('--config') ?? env.QUIVER_CONFIG;
  if (file) {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    for (const [k, v] of Object.entries(json)) {
      const spec = OPTIONS.find((o) => o.key === k);
      if (!spec) throw new Error(`${file}: unknown setting ${JSON.stringify(k)}; known: ${OPTIONS.map((o) => o.key).join(', ')}`);
      config[k] = spec.parse(String(v));
    }
  }
  for (const spec of OPTIONS) {
    const fromEnv = env[spec.env];
    if (fromEnv !== undefined && fromEnv !== '') config[spec.key] = spec.parse(fromEnv);
    const fromFlag = flags.get(spec.flag);
    if (fromFlag !== undefined) config[spec.key] = spec.parse(fromFlag);
  }
  for (const f of flags.keys()) {
    if (f !== '--config' && !OPTIONS.some((o) => o.flag === f)) throw new Error(`unknown option ${f}; see quiver serve --help`);
  }
  return config as unknown as ServerConfig;
}

function parseFlags(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(arg)}; see quiver serve --help`);
    const eq = arg.indexOf('=');
    if (eq > 0) out.set(arg.slice(0, eq), arg.slice(eq + 1));
    else {
      const value = argv[i + 1];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      out.set(arg, value);
      i++;
    }
  }
  return out;
}

export function helpText(): string {
  const rows = OPTIONS.map((o) => `  ${o.flag.padEnd(22)} ${o.help} (env ${o.env}; default ${JSON.stringify(DEFAULTS[o.key] ?? null)})`);
  return ['Usage: quiver serve [options]', '', 'Serves tables over Arrow Flight.', '', 'Options:', '  --config FILE          JSON file of settings (env QUIVER_CONFIG)', ...rows].join('\n');
}
