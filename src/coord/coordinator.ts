// What storage needs from coordination: a commit lock per table and a version log whose head
// moves only by compare-and-set. `local` keeps both in this process and on the data root;
// `zookeeper` keeps them in a ZooKeeper ensemble so several replicas share one root.

export interface LogEntry {
  version: number;
  /** Manifest path, relative to the table's directory. */
  manifest: string;
}

export interface CommitLock {
  release(): Promise<void>;
}

export class CommitConflictError extends Error {
  constructor(readonly table: string, readonly expected: number, readonly actual: number) {
    super(`table ${JSON.stringify(table)} moved from version ${expected} to ${actual} during the commit`);
  }
}

export interface Coordinator {
  readonly kind: 'local' | 'zookeeper';
  /** Serializes commits to one table; commits to different tables do not wait for each other. */
  lockTable(table: string): Promise<CommitLock>;
  /** The newest log entry of a table, or null when it has none (never written, or dropped). */
  head(table: string): Promise<LogEntry | null>;
  /** Log entry `version`, or null when it does not exist. */
  entry(table: string, version: number): Promise<LogEntry | null>;
  /** All retained log entries, oldest first. */
  entries(table: string): Promise<LogEntry[]>;
  /**
   * Appends entry `expected + 1` iff the head is still `expected` (0 for a new table); throws
   * CommitConflictError otherwise. Resolves only once the entry is durable.
   */
  publish(table: string, expected: number, manifest: string): Promise<LogEntry>;
  /** Removes a table's log, so that its head becomes null. */
  dropTable(table: string): Promise<void>;
  /** Names of the tables that have a log. */
  tables(): Promise<string[]>;
  close(): Promise<void>;
}
