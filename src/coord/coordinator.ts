// What storage needs from coordination: a commit lock per table and a version log whose head
// moves only by compare-and-set. `local` keeps both in this process and on the data root;
// `zookeeper` keeps them in a ZooKeeper ensemble so several replicas share one root.
import { QuiverError } from '../errors.ts';

export interface LogEntry {
  version: number;
  /** Manifest path, relative to the table's directory. */
  manifest: string;
  /** The table's catalog entry as of this version, when it was published with one. */
  catalog?: TableCatalog;
}

/**
 * What a listing or a schema lookup needs to know of a table's current version, published in
 * the same step as the version itself, so that any replica can answer ListFlights and GetSchema
 * from the coordinator without reading manifests. The manifests stay the only record of which
 * files make up a version. Opaque to coordination: the schema is an encoded Arrow message.
 */
export interface TableCatalog {
  /** Changes when the table is dropped and created again. */
  tableId: string;
  /** When this tableId was created (ISO 8601); null when that predates the catalog. */
  createdAt: string | null;
  committedAt: string;
  /** The Arrow IPC Schema message flatbuffer, base64. */
  schema: string;
  /** Storage formats of the version's data files ("parquet", "arrow-stream"). */
  formats: string[];
  files: number;
  rows: number;
  arrowBytes: number;
}

/** One version of a group publish: what publish() takes for one version. */
export interface VersionToPublish {
  /** Manifest path, relative to the table's directory. */
  manifest: string;
  catalog?: TableCatalog;
}

/**
 * What a group publish committed: entries expected+1 .. expected+j (j >= 1), oldest first, and
 * when that is not all of them, why the rest were not (`failure`, as publish() would throw it).
 */
export interface PublishedVersions {
  entries: LogEntry[];
  failure?: unknown;
}

export interface TableHead {
  table: string;
  head: LogEntry;
}

export interface HeadOptions {
  /**
   * The commit path's reads (under the commit lock, and a DoPut's check before staging): a
   * coordinator may skip what it does to see other replicas' commits when this replica is the
   * writer and sees them anyway; a stale answer costs a lost compare-and-set, never a wrong commit.
   */
  forCommit?: boolean;
}

export interface CommitLock {
  release(): Promise<void>;
  /** False once the lock went without a release (its ZooKeeper session ended); absent: always held. */
  held?(): boolean;
}

/**
 * Another commit moved the table's head first. Nothing was committed, and the same commit may
 * succeed on the new head: ABORTED, retriable (gRPC's code for a lost compare-and-set).
 */
export class CommitConflictError extends QuiverError {
  constructor(readonly table: string, readonly expected: number, readonly actual: number) {
    super('ABORTED', `table ${JSON.stringify(table)} moved from version ${expected} to ${actual} during the commit`, { retriable: true });
    this.name = 'CommitConflictError';
  }
}

export interface Coordinator {
  readonly kind: 'local' | 'zookeeper' | 'bucket';
  /**
   * Leadership, membership and the cluster config node when this coordinator is shared by
   * several replicas; null when it runs alone (local), where none of them exists.
   */
  readonly cluster: ClusterCoordination | null;
  /** Serializes commits to one table; commits to different tables do not wait for each other. */
  lockTable(table: string): Promise<CommitLock>;
  /**
   * The newest log entry of a table (with its catalog entry, when published with one), or null
   * when it has none (never written, or dropped).
   */
  head(table: string, options?: HeadOptions): Promise<LogEntry | null>;
  /** Log entry `version`, or null when it does not exist. */
  entry(table: string, version: number): Promise<LogEntry | null>;
  /** All retained log entries, oldest first. */
  entries(table: string): Promise<LogEntry[]>;
  /**
   * Appends entry `expected + 1` iff the head is still `expected` (0 for a new table); throws
   * CommitConflictError otherwise. Resolves only once the entry is durable. `catalog` becomes the
   * table's catalog entry in the same atomic step (a coordinator may leave out one too large to
   * keep; readers then fall back to the manifest).
   */
  publish(table: string, expected: number, manifest: string, catalog?: TableCatalog): Promise<LogEntry>;
  /**
   * Group commit: appends entries `expected + 1` .. `expected + k`, one per element of
   * `versions` and in its order, iff the head is still `expected`, so that many writers' commits
   * cost one round of coordination and every version still has its own entry. Rejects, as
   * publish() does, when none was committed. A coordinator that publishes them atomically
   * (ZooKeeper: one multi) commits all or none; one that cannot (local: a durable file per
   * entry) may stop after a prefix and resolves with the prefix and the failure of the rest.
   */
  publishVersions(table: string, expected: number, versions: VersionToPublish[]): Promise<PublishedVersions>;
  /** Removes a table's log, so that its head becomes null. */
  dropTable(table: string): Promise<void>;
  /**
   * Calls `listener` with the table's head whenever it may have moved (a commit, a drop: null),
   * for as long as the returned function has not been called. A hint, never the log itself:
   * calls may repeat a head or skip over several commits at once (a follower reads the entries
   * in between), and a cluster coordinator calls again after every reconnection and new session,
   * so that nothing committed meanwhile goes unnoticed. Every listener of a table shares one
   * notification source (in ZooKeeper: one watch on the table's pointer node per process).
   */
  watchHead(table: string, listener: (head: LogEntry | null) => void): () => void;
  /** Names of the tables that have a log. */
  tables(): Promise<string[]>;
  /** The head of every table whose name starts with `prefix`, by name: a listing in one go. */
  listHeads(prefix?: string): Promise<TableHead[]>;
  close(): Promise<void>;
  // ---- maintenance (src/storage/maintenance) ----
  /**
   * Removes log entries `versions` of a table, fenced like publish; absent versions are skipped,
   * the head is never removed (asking for it throws). Resolves with the versions removed, once
   * their removal is durable.
   */
  expire(table: string, versions: number[]): Promise<number[]>;
  /**
   * Resolves only while this process may change the log: always in local mode; in a cluster,
   * once the ensemble has confirmed the leader's election node (a fenced no-op). Maintenance
   * calls it right before deleting files. NotLeaderError otherwise.
   */
  confirmWriter(what: string): Promise<void>;
}

// ---- cluster mode (Coordinator.cluster; the zookeeper coordinator has it) ----

export type SessionState = 'connecting' | 'connected' | 'suspended' | 'lost' | 'closed';

export interface ClusterMember {
  id: string;
  /** Advertised Flight location, e.g. grpc+tcp://host:port. */
  location: string;
}

export interface ClusterStatus {
  cluster: string;
  self: ClusterMember;
  isLeader: boolean;
  session: SessionState;
  sessionId: string | null;
}

/** The cluster's config node as stored: its text (null when absent) and its version (-1 then). */
export interface ConfigNode {
  text: string | null;
  version: number;
  /**
   * Where this content stands among all writes of the coordinator (ZooKeeper's mzxid), so that a
   * replica can tell an older read from a newer one even across a deleted and re-created node;
   * absent for a missing node.
   */
  order?: bigint;
}

/** What a coordinator shared by several replicas adds: leadership, membership, the config node. */
export interface ClusterCoordination {
  status(): ClusterStatus;
  /** Called on every change of leadership or session state; returns an unsubscribe function. */
  onStatusChange(listener: (status: ClusterStatus) => void): () => void;
  /** The current leader as the ensemble sees it (not necessarily this replica's view). */
  leader(): Promise<ClusterMember | null>;
  /** Live replicas, leader first. */
  members(): Promise<ClusterMember[]>;
  /** The cluster config node, read now. */
  readConfig(): Promise<ConfigNode>;
  /**
   * Replaces the config node's text iff its version is still `expected` (-1: the node must not
   * exist yet); null when it moved meanwhile. Any replica may write it, leader or not.
   */
  writeConfig(text: string, expected: number): Promise<ConfigNode | null>;
  /**
   * Calls `listener` with the config node now and after every change, for as long as the
   * coordinator lives, across reconnections and new sessions (a repeat of the same version is
   * possible). Resolves after the first call.
   */
  watchConfig(listener: (node: ConfigNode) => void): Promise<void>;
}

/** A write reached a replica that is not the elected writer (or no longer is). */
export class NotLeaderError extends QuiverError {
  constructor(message: string, readonly leader: ClusterMember | null = null) {
    super('UNAVAILABLE', message, { retriable: true });
    this.name = 'NotLeaderError';
  }
}

/** ZooKeeper could not be reached; nothing was written. */
export class CoordinationUnavailableError extends QuiverError {
  constructor(message: string, cause?: unknown) {
    super('UNAVAILABLE', message, { retriable: true, cause });
    this.name = 'CoordinationUnavailableError';
  }
}

/**
 * The connection was lost after a publish was sent and could not be re-established in time to
 * learn whether it applied. The manifest it names may be committed: keep its files.
 * DEADLINE_EXCEEDED because that is gRPC's code for "may have completed", and not retriable:
 * sending the same commit again without reading the history first could apply it twice.
 */
export class CommitOutcomeUnknownError extends QuiverError {
  constructor(readonly table: string, readonly version: number, readonly manifest: string, cause?: unknown, why = 'the connection to ZooKeeper was lost and did not come back in time') {
    super('DEADLINE_EXCEEDED', `the commit of version ${version} of table ${JSON.stringify(table)} may or may not have been applied: ${why}; read the table's history before sending it again`, { retriable: false, cause });
    this.name = 'CommitOutcomeUnknownError';
  }
}
