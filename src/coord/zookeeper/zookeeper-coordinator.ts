// The cluster coordinator: the Coordinator contract kept in a ZooKeeper ensemble (layout in
// znode-layout.ts). Only the elected leader writes, and every write is fenced: one multi that
// checks the leader's own election node, so a writer whose session expired or who was deposed
// fails there, whatever it believes about itself.
import { EventEmitter } from 'node:events';
import {
  CommitConflictError,
  CommitOutcomeUnknownError,
  CoordinationUnavailableError,
  NotLeaderError,
  type ClusterCoordinator,
  type ClusterMember,
  type ClusterStatus,
  type CommitLock,
  type ConfigNode,
  type LogEntry,
  type TableCatalog,
  type TableHead,
} from '../coordinator.ts';
import { QuiverError } from '../../errors.ts';
import { acquireLock } from './commit-lock.ts';
import { CommittedEntries } from './committed-entries.ts';
import { FreshReads } from './fresh-reads.ts';
import { LeaderElection } from './leader-election.ts';
import { ZkSession, type MultiOp, type SessionOptions } from './session.ts';
import { WatchedNode } from './watched-node.ts';
import { ConnectionLossError, MultiError, ZK, isZkCode } from './zk-errors.ts';
import { ZnodeLayout, logEntryName, parseLogEntryName } from './znode-layout.ts';

export interface ZooKeeperCoordinatorOptions {
  /** host:port[,host:port...] */
  connect: string;
  cluster: string;
  self: ClusterMember;
  sessionTimeoutMs?: number;
  /** How long lockTable waits for a table's commit lock. */
  lockTimeoutMs?: number;
  log?: SessionOptions['log'];
}

interface Pointer {
  name: string;
  generation: number;
  version: number;
  manifest: string | null;
  /** The table's catalog entry as of `version`; moves with the pointer in one compare-and-set. */
  catalog?: TableCatalog;
}

/**
 * Catalog entries larger than this are left out of the pointer (readers fall back to the
 * manifest): every head() reads the pointer, and ZooKeeper refuses nodes over jute.maxbuffer
 * (1 MiB by default). Only schemas of thousands of columns come near it.
 */
const CATALOG_MAX_BYTES = 256 * 1024;

const headOf = (p: Pointer): LogEntry | null =>
  p.version === 0 || p.manifest === null ? null : { version: p.version, manifest: p.manifest, ...(p.catalog ? { catalog: p.catalog } : {}) };

interface PointerNode {
  pointer: Pointer;
  /** The znode version: the compare-and-set token. */
  zversion: number;
  raw: Buffer;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

export class ZooKeeperCoordinator implements ClusterCoordinator {
  readonly kind = 'zookeeper';
  private readonly layout: ZnodeLayout;
  private readonly changes = new EventEmitter<{ status: [ClusterStatus] }>();
  private readonly watched: WatchedNode[] = [];
  private readonly committed = new CommittedEntries();
  private readonly fresh: FreshReads;

  private constructor(
    private readonly session: ZkSession,
    private readonly election: LeaderElection,
    private readonly options: ZooKeeperCoordinatorOptions,
  ) {
    this.layout = new ZnodeLayout(options.cluster);
    this.fresh = new FreshReads(() => session.sync());
    const notify = () => this.changes.emit('status', this.status());
    session.on('state', notify);
    election.on('leadership', notify);
    election.on('error', (e) => options.log?.('leader election step failed', { error: String(e) }));
    // Each commit waiting for a lock listens for the end of leadership and for session changes:
    // as many listeners as commits in flight, which is not a leak.
    election.setMaxListeners(0);
    session.setMaxListeners(0);
  }

  /** Connects, joins the election and returns (as leader or follower). */
  static async start(options: ZooKeeperCoordinatorOptions): Promise<ZooKeeperCoordinator> {
    const layout = new ZnodeLayout(options.cluster);
    const session = await ZkSession.open({ connect: options.connect, sessionTimeoutMs: options.sessionTimeoutMs, log: options.log });
    try {
      await session.ensurePath(layout.tables);
      const election = new LeaderElection(session, layout.election, json(options.self));
      const coordinator = new ZooKeeperCoordinator(session, election, options);
      await election.start();
      return coordinator;
    } catch (e) {
      await session.close();
      throw e;
    }
  }

  // ---- cluster ----

  status(): ClusterStatus {
    return {
      cluster: this.options.cluster,
      self: this.options.self,
      isLeader: this.election.isLeader,
      session: this.session.state,
      sessionId: this.session.sessionId,
    };
  }

  onStatusChange(listener: (status: ClusterStatus) => void): () => void {
    this.changes.on('status', listener);
    return () => this.changes.off('status', listener);
  }

  whenLeader(timeoutMs: number): Promise<void> {
    return this.election.whenLeader(timeoutMs);
  }

  async leader(): Promise<ClusterMember | null> {
    const c = await this.election.leader();
    return c ? (JSON.parse(c.data.toString()) as ClusterMember) : null;
  }

  async members(): Promise<ClusterMember[]> {
    return (await this.election.candidates()).map((c) => JSON.parse(c.data.toString()) as ClusterMember);
  }

  // ---- cluster config (any replica reads, watches and writes it; nothing is fenced) ----

  async readConfig(): Promise<ConfigNode> {
    return this.unavailableOnLoss(async () => {
      const node = await this.session.getData(this.layout.config);
      return node ? { text: node.data.toString('utf8'), version: node.stat.version } : { text: null, version: -1 };
    });
  }

  async writeConfig(text: string, expected: number): Promise<ConfigNode | null> {
    return this.unavailableOnLoss(async () => {
      try {
        if (expected === -1) {
          await this.session.create(this.layout.config, Buffer.from(text));
          return { text, version: 0 };
        }
        const stat = await this.session.setData(this.layout.config, Buffer.from(text), expected);
        return { text, version: stat.version };
      } catch (e) {
        if (isZkCode(e, ZK.BAD_VERSION) || isZkCode(e, ZK.NODE_EXISTS) || isZkCode(e, ZK.NO_NODE)) return null;
        throw e;
      }
    });
  }

  async watchConfig(listener: (node: ConfigNode) => void): Promise<void> {
    const node = new WatchedNode(this.session, this.layout.config, listener, (e) => this.options.log?.('reading the cluster config failed', { error: String(e) }));
    this.watched.push(node);
    await node.start();
  }

  // ---- Coordinator ----

  async lockTable(table: string): Promise<CommitLock> {
    const what = `commit to table ${JSON.stringify(table)}`;
    await this.requireLeader(what);
    // Waiting for the lock is pointless once this replica stops leading (its session was
    // suspended or lost, or it was deposed): its publish would be refused by the fence anyway,
    // and its caller should hear UNAVAILABLE now, not after the lock timeout.
    const lostRole = new AbortController();
    const onLeadership = (leading: boolean) => {
      if (!leading) lostRole.abort(new NotLeaderError(`cannot ${what}: replica ${this.options.self.id} stopped being the cluster's writer (session ${this.session.state}) while waiting for the table's commit lock; nothing was committed`));
    };
    this.election.on('leadership', onLeadership);
    try {
      if (!this.election.isLeader) onLeadership(false);
      const lock = await this.unavailableOnLoss(() => acquireLock(this.session, this.layout.lock(table), this.options.lockTimeoutMs ?? 60_000, lostRole.signal));
      return { release: () => lock.release() };
    } finally {
      this.election.off('leadership', onLeadership);
    }
  }

  /** Sees every commit acknowledged (by any replica) before the call: reads after a sync. */
  async head(table: string): Promise<LogEntry | null> {
    const node = await this.unavailableOnLoss(async () => {
      await this.fresh.barrier();
      return this.readPointer(table);
    });
    const head = node ? headOf(node.pointer) : null;
    return head && this.committed.remember(table, head);
  }

  async entry(table: string, version: number): Promise<LogEntry | null> {
    try {
      return await this.unavailableOnLoss(async () => {
        let node = await this.readPointer(table);
        // A version newer than this member knows may have been committed through another one
        // (a ticket minted by another replica): only a synced read can say it does not exist.
        if (version >= 1 && (!node || version > node.pointer.version)) {
          await this.fresh.barrier();
          node = await this.readPointer(table);
        }
        if (!node || version < 1 || version > node.pointer.version) return null;
        const found = await this.readEntry(this.layout.logEntry(table, node.pointer.generation, version), version);
        return found && this.committed.remember(table, found);
      });
    } catch (e) {
      // A committed version stays readable while ZooKeeper is not (tickets already handed out).
      const known = e instanceof CoordinationUnavailableError ? this.committed.get(table, version) : null;
      if (known) return known;
      throw e;
    }
  }

  async entries(table: string): Promise<LogEntry[]> {
    return this.unavailableOnLoss(async () => {
      await this.fresh.barrier();
      const node = await this.readPointer(table);
      if (!node || node.pointer.version === 0) return [];
      const { generation, version: head } = node.pointer;
      const versions = (await this.session.getChildren(this.layout.pointer(table)))
        .map(parseLogEntryName)
        .filter((e): e is { generation: number; version: number } => e !== null && e.generation === generation && e.version <= head)
        .map((e) => e.version)
        .sort((a, b) => a - b);
      const out = await Promise.all(versions.map((v) => this.readEntry(this.layout.logEntry(table, generation, v), v)));
      return out.filter((e): e is LogEntry => e !== null);
    });
  }

  async tables(): Promise<string[]> {
    return (await this.listHeads()).map((h) => h.table);
  }

  /** Every pointer, read in parallel: the catalog of the whole cluster without a manifest read. */
  async listHeads(prefix = ''): Promise<TableHead[]> {
    return this.unavailableOnLoss(async () => {
      await this.fresh.barrier();
      const keys = await this.session.getChildren(this.layout.tables);
      const pointers = await Promise.all(keys.map((k) => this.session.getData(`${this.layout.tables}/${k}`)));
      const out: TableHead[] = [];
      for (const p of pointers) {
        if (!p) continue;
        const pointer = JSON.parse(p.data.toString()) as Pointer;
        const head = headOf(pointer);
        if (head && pointer.name.startsWith(prefix)) out.push({ table: pointer.name, head });
      }
      return out.sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
    });
  }

  /**
   * One multi: check(own election node) + move the pointer by compare-and-set + create log node
   * N+1. A lost reply is resolved by reading log node N+1, and if it is not there, by sealing the
   * pointer (a no-op CAS on the version the multi expected) so that the multi can never apply
   * late; only then is "not committed" a fact rather than a guess.
   */
  async publish(table: string, expected: number, manifest: string, catalog?: TableCatalog): Promise<LogEntry> {
    const fence = await this.requireLeader(`commit to table ${JSON.stringify(table)}`);
    const current = await this.unavailableOnLoss(() => this.readPointer(table));
    const actual = current?.pointer.version ?? 0;
    if (actual !== expected) throw new CommitConflictError(table, expected, actual);
    const generation = current?.pointer.generation ?? 0;
    const entry: LogEntry = { version: expected + 1, manifest };
    const pointer: Pointer = { name: table, generation, version: entry.version, manifest };
    if (catalog && JSON.stringify(catalog).length <= CATALOG_MAX_BYTES) pointer.catalog = entry.catalog = catalog;
    const ops: MultiOp[] = [
      { op: 'check', path: fence, version: 0 },
      current
        ? { op: 'setData', path: this.layout.pointer(table), data: json(pointer), version: current.zversion }
        : { op: 'create', path: this.layout.pointer(table), data: json(pointer) },
      { op: 'create', path: this.layout.logEntry(table, generation, entry.version), data: json(entry) },
    ];
    try {
      await this.session.multi(ops);
      return entry;
    } catch (e) {
      if (e instanceof MultiError) throw await this.explainFailedMulti(e, table, expected);
      if (e instanceof ConnectionLossError) {
        if (!e.sent) throw new CoordinationUnavailableError(`ZooKeeper is not reachable; nothing was committed to table ${JSON.stringify(table)}`, e);
        return this.resolveLostPublish(table, current, entry, e);
      }
      throw e;
    }
  }

  async dropTable(table: string): Promise<void> {
    for (;;) {
      const fence = await this.requireLeader(`drop table ${JSON.stringify(table)}`);
      const current = await this.unavailableOnLoss(() => this.readPointer(table));
      if (!current || current.pointer.version === 0) return;
      const old = current.pointer.generation;
      const dropped: Pointer = { name: table, generation: old + 1, version: 0, manifest: null };
      try {
        await this.session.multi([
          { op: 'check', path: fence, version: 0 },
          { op: 'setData', path: this.layout.pointer(table), data: json(dropped), version: current.zversion },
        ]);
      } catch (e) {
        if (e instanceof MultiError && e.index === 0) throw this.deposed();
        // A lost reply or a lost race: the loop re-reads the pointer and stops once it is dropped.
        if (e instanceof MultiError && e.code === ZK.BAD_VERSION) continue;
        if (e instanceof ConnectionLossError) {
          await this.unavailableOnLoss(() => this.session.whenConnected());
          continue;
        }
        throw e;
      }
      this.committed.forget(table);
      await this.removeGenerationsBefore(table, old + 1);
      return;
    }
  }

  async close(): Promise<void> {
    for (const w of this.watched) w.stop();
    await this.election.stop().catch(() => {});
    await this.session.close();
  }

  // ---- internals ----

  private async requireLeader(what: string): Promise<string> {
    const fence = this.election.fence;
    if (fence && this.session.state === 'connected') return fence;
    const leader = await this.leader().catch(() => null);
    const where = leader ? `; the writer is ${leader.id} at ${leader.location}` : '; no writer is elected right now';
    throw new NotLeaderError(`cannot ${what}: replica ${this.options.self.id} is not the cluster's writer (session ${this.session.state})${where}`, leader);
  }

  private deposed(): NotLeaderError {
    this.election.deposed();
    return new NotLeaderError(`replica ${this.options.self.id} lost the writer role (its election node is gone); nothing was committed`, null);
  }

  private async explainFailedMulti(e: MultiError, table: string, expected: number): Promise<Error> {
    if (e.index === 0) return this.deposed();
    if (e.code === ZK.BAD_VERSION || e.code === ZK.NODE_EXISTS) {
      const now = await this.readPointer(table).catch(() => null);
      return new CommitConflictError(table, expected, now?.pointer.version ?? expected);
    }
    return e;
  }

  private async resolveLostPublish(table: string, before: PointerNode | null, entry: LogEntry, cause: unknown): Promise<LogEntry> {
    const deadline = Date.now() + this.session.sessionTimeoutMs * 4;
    const generation = before?.pointer.generation ?? 0;
    const logPath = this.layout.logEntry(table, generation, entry.version);
    while (Date.now() < deadline) {
      try {
        await this.session.whenConnected(Math.max(1, deadline - Date.now()));
        const found = await this.readEntry(logPath, entry.version);
        if (found) {
          if (found.manifest === entry.manifest) return entry;
          throw new CommitConflictError(table, entry.version - 1, entry.version);
        }
        try {
          if (before) await this.session.setData(this.layout.pointer(table), before.raw, before.zversion);
          else await this.session.create(this.layout.pointer(table), json({ name: table, generation: 0, version: 0, manifest: null } satisfies Pointer));
        } catch (e) {
          if (!isZkCode(e, ZK.BAD_VERSION) && !isZkCode(e, ZK.NODE_EXISTS)) throw e;
          // The pointer moved, so our multi can no longer apply later: either it applied (then
          // its log node is there) or another commit won.
          const again = await this.readEntry(logPath, entry.version);
          if (again?.manifest === entry.manifest) return entry;
          throw new CommitConflictError(table, entry.version - 1, (await this.readPointer(table))?.pointer.version ?? entry.version);
        }
        throw new CoordinationUnavailableError(`the connection to ZooKeeper was lost during the commit to table ${JSON.stringify(table)}; nothing was committed`, cause);
      } catch (e) {
        if (!(e instanceof ConnectionLossError)) throw e;
      }
    }
    throw new CommitOutcomeUnknownError(table, entry.version, entry.manifest, cause);
  }

  private async removeGenerationsBefore(table: string, generation: number): Promise<void> {
    try {
      const names = await this.session.getChildren(this.layout.pointer(table));
      for (const n of names) {
        if ((parseLogEntryName(n)?.generation ?? generation) < generation) await this.session.remove(`${this.layout.pointer(table)}/${n}`).catch(() => {});
      }
    } catch {
      // Leftovers of a dropped generation are never read; a later drop sweeps them.
    }
  }

  private async readPointer(table: string): Promise<PointerNode | null> {
    const node = await this.session.getData(this.layout.pointer(table));
    if (!node) return null;
    return { pointer: JSON.parse(node.data.toString()) as Pointer, zversion: node.stat.version, raw: node.data };
  }

  private async readEntry(path: string, version: number): Promise<LogEntry | null> {
    const node = await this.session.getData(path);
    if (!node) return null;
    const e = JSON.parse(node.data.toString()) as LogEntry;
    if (e.version !== version || typeof e.manifest !== 'string') throw new Error(`${path} is not a log entry for version ${version}`);
    return e;
  }

  private async unavailableOnLoss<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      if (e instanceof ConnectionLossError) throw new CoordinationUnavailableError(`ZooKeeper is not reachable (session ${this.session.state}): ${e.message}`, e);
      throw e;
    }
  }

  // ---- maintenance ----

  /**
   * Removes log nodes in fenced multis (check of the own election node + removes), at most
   * EXPIRE_BATCH per multi to stay well under jute.maxbuffer. A lost reply is harmless: the
   * loop re-lists the log and removes what is still there, so each version is removed once.
   */
  async expire(table: string, versions: number[]): Promise<number[]> {
    const removed: number[] = [];
    for (let attempt = 0; ; attempt++) {
      const fence = await this.requireLeader(`expire versions of table ${JSON.stringify(table)}`);
      const node = await this.unavailableOnLoss(() => this.readPointer(table));
      if (!node || node.pointer.version === 0) return removed;
      const { generation, version: head } = node.pointer;
      const current = versions.find((v) => v >= head);
      if (current !== undefined) throw new QuiverError('FAILED_PRECONDITION', `version ${current} of table ${JSON.stringify(table)} is not superseded (the head is ${head}); only older versions can expire`);
      const present = new Set(await this.unavailableOnLoss(() => this.session.getChildren(this.layout.pointer(table))));
      const pending = [...new Set(versions)].filter((v) => present.has(logEntryName(generation, v))).sort((a, b) => a - b);
      if (pending.length === 0) return removed.sort((a, b) => a - b);
      try {
        for (let i = 0; i < pending.length; i += EXPIRE_BATCH) {
          const batch = pending.slice(i, i + EXPIRE_BATCH);
          await this.session.multi([
            { op: 'check', path: fence, version: 0 },
            // Log nodes are never modified, so an unconditional remove cannot race an update.
            ...batch.map((v): MultiOp => ({ op: 'remove', path: this.layout.logEntry(table, generation, v), version: -1 })),
          ]);
          removed.push(...batch);
          // Expired entries must not be served from memory while ZooKeeper is unreachable.
          this.committed.forget(table);
        }
        return removed.sort((a, b) => a - b);
      } catch (e) {
        if (e instanceof MultiError && e.index === 0) throw this.deposed();
        if (attempt >= 5) throw e instanceof ConnectionLossError ? new CoordinationUnavailableError(`ZooKeeper is not reachable; versions of table ${JSON.stringify(table)} may be partly expired (history shows which)`, e) : e;
        // A node removed meanwhile (NO_NODE) or a lost reply: re-list and go on with the rest.
        if (e instanceof ConnectionLossError) await this.unavailableOnLoss(() => this.session.whenConnected());
        else if (!(e instanceof MultiError && e.code === ZK.NO_NODE)) throw e;
      }
    }
  }

  async confirmWriter(what: string): Promise<void> {
    const fence = await this.requireLeader(what);
    try {
      await this.session.multi([{ op: 'check', path: fence, version: 0 }]);
    } catch (e) {
      if (e instanceof MultiError) throw this.deposed();
      if (e instanceof ConnectionLossError) throw new CoordinationUnavailableError(`cannot ${what}: ZooKeeper did not confirm this replica's leadership (session ${this.session.state})`, e);
      throw e;
    }
  }
}

const EXPIRE_BATCH = 200;

