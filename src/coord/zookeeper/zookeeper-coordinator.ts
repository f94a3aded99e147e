// The cluster coordinator: the Coordinator contract kept in a ZooKeeper ensemble (layout in
// znode-layout.ts). This file only assembles the parts on one session: the table log
// (zookeeper-table-log.ts), the writer role that fences its writes (writer-role.ts), the
// per-table commit lock (commit-lock.ts), the table head watches of the change feed
// (head-watches.ts), and the cluster side (zookeeper-cluster.ts: status,
// membership, the config node).
import type { ClusterMember, CommitLock, Coordinator, HeadOptions, LogEntry, PublishedVersions, TableCatalog, TableHead, VersionToPublish } from '../coordinator.ts';
import { ClusterConfigNode } from './cluster-config-node.ts';
import { acquireLock } from './commit-lock.ts';
import { LeaderElection } from './leader-election.ts';
import { ZkSession, type SessionOptions } from './session.ts';
import { unavailableOnLoss } from './unavailable-on-loss.ts';
import { WriterRole } from './writer-role.ts';
import { ZooKeeperCluster, encodeMember } from './zookeeper-cluster.ts';
import { ZooKeeperTableLog } from './zookeeper-table-log.ts';
import { HeadWatches } from './head-watches.ts';
import { ZnodeLayout } from './znode-layout.ts';

export interface ZooKeeperCoordinatorOptions {
  /** host:port[,host:port...] */
  connect: string;
  cluster: string;
  self: ClusterMember;
  sessionTimeoutMs?: number;
  /** How long lockTable waits for a table's commit lock. */
  lockTimeoutMs?: number;
  log?: SessionOptions['log'];
  /** Digest credentials: the cluster's nodes (under /quiver/<cluster>) admit them alone. */
  auth?: SessionOptions['auth'];
}

export class ZooKeeperCoordinator implements Coordinator {
  readonly kind = 'zookeeper';
  readonly cluster: ZooKeeperCluster;
  private readonly layout: ZnodeLayout;
  private readonly config: ClusterConfigNode;
  private readonly writer: WriterRole;
  private readonly log: ZooKeeperTableLog;
  private readonly watches: HeadWatches;

  private constructor(
    private readonly session: ZkSession,
    private readonly election: LeaderElection,
    private readonly options: ZooKeeperCoordinatorOptions,
  ) {
    this.layout = new ZnodeLayout(options.cluster);
    this.config = new ClusterConfigNode(session, this.layout.config, options.log);
    this.cluster = new ZooKeeperCluster(session, election, this.config, options.cluster, options.self, options.log);
    this.writer = new WriterRole(session, election, options.self.id, () => this.cluster.leader());
    this.log = new ZooKeeperTableLog(session, this.layout, this.writer, options.log);
    this.watches = new HeadWatches(session, this.layout, options.log);
    // Each commit waiting for a lock listens for the end of leadership and for session changes:
    // as many listeners as commits in flight, which is not a leak.
    election.setMaxListeners(0);
    session.setMaxListeners(0);
  }

  /** Connects, joins the election and returns (as leader or follower). */
  static async start(options: ZooKeeperCoordinatorOptions): Promise<ZooKeeperCoordinator> {
    const layout = new ZnodeLayout(options.cluster);
    const session = await ZkSession.open({ connect: options.connect, sessionTimeoutMs: options.sessionTimeoutMs, log: options.log, ...(options.auth ? { auth: options.auth, securedRoot: layout.root } : {}) });
    try {
      await session.ensurePath(layout.tables);
      const secured = await session.secureExisting();
      if (secured > 0) options.log?.('gave existing open znodes the digest ACL of --zk-auth', { nodes: secured });
      const election = new LeaderElection(session, layout.election, encodeMember(options.self));
      const coordinator = new ZooKeeperCoordinator(session, election, options);
      await election.start();
      return coordinator;
    } catch (e) {
      await session.close();
      throw e;
    }
  }

  /** Resolves once this replica leads (tests and tools wait for an election with it). */
  whenLeader(timeoutMs: number): Promise<void> {
    return this.election.whenLeader(timeoutMs);
  }

  async lockTable(table: string): Promise<CommitLock> {
    const what = `commit to table ${JSON.stringify(table)}`;
    await this.writer.fence(what);
    // Waiting for the lock is pointless once this replica stops leading (its session was
    // suspended or lost, or it was deposed): its publish would be refused by the fence anyway,
    // and its caller should hear UNAVAILABLE now, not after the lock timeout.
    const role = this.writer.whileLeading(what);
    try {
      const lock = await unavailableOnLoss(this.session, () => acquireLock(this.session, this.layout.lock(table), this.options.lockTimeoutMs ?? 60_000, role.signal));
      return { release: () => lock.release(), held: () => lock.held() };
    } finally {
      role.done();
    }
  }

  head(table: string, options?: HeadOptions): Promise<LogEntry | null> {
    return this.log.head(table, options);
  }

  entry(table: string, version: number): Promise<LogEntry | null> {
    return this.log.entry(table, version);
  }

  entries(table: string): Promise<LogEntry[]> {
    return this.log.entries(table);
  }

  watchHead(table: string, listener: (head: LogEntry | null) => void): () => void {
    return this.watches.watch(table, listener);
  }

  async tables(): Promise<string[]> {
    return (await this.log.listHeads()).map((h) => h.table);
  }

  listHeads(prefix = ''): Promise<TableHead[]> {
    return this.log.listHeads(prefix);
  }

  publish(table: string, expected: number, manifest: string, catalog?: TableCatalog): Promise<LogEntry> {
    return this.log.publish(table, expected, manifest, catalog);
  }

  publishVersions(table: string, expected: number, versions: VersionToPublish[]): Promise<PublishedVersions> {
    return this.log.publishVersions(table, expected, versions);
  }

  dropTable(table: string): Promise<void> {
    return this.log.drop(table);
  }

  expire(table: string, versions: number[]): Promise<number[]> {
    return this.log.expire(table, versions);
  }

  confirmWriter(what: string): Promise<void> {
    return this.writer.confirm(what);
  }

  async close(): Promise<void> {
    this.config.stop();
    this.watches.close();
    await this.election.stop().catch(() => {});
    await this.session.close();
  }
}
