// The settings in force on this replica: its own (defaults < file < env < flags), overridden
// key by key by the cluster's config node when it runs in a cluster. A node that does not
// validate is refused whole, with one log line, and the settings in force stay as they were.
import type { ConfigNode } from '../coord/coordinator.ts';
import type { ClusterConfigReport, Logger } from '../flight/context.ts';
import { parseClusterConfig, type ClusterSettings } from './cluster-settings.ts';

export class LiveConfig {
  private cluster: Partial<ClusterSettings> = {};
  private current: ClusterSettings;
  private version: number | null;
  private rejected: { version: number; problem: string } | undefined;
  /** The last node content seen, so that re-reads after reconnections log nothing new. */
  private seen: string | null = null;
  private newest = -1;
  private newestOrder: bigint | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly replica: ClusterSettings,
    private readonly log: Logger,
    clustered: boolean,
  ) {
    this.current = { ...replica };
    this.version = clustered ? -1 : null;
  }

  /** The effective settings; read on every use, never copied. */
  get settings(): Readonly<ClusterSettings> {
    return this.current;
  }

  /**
   * Takes a new content of the config node (a repeat of the one in force is a no-op). A read
   * older than one already seen (a re-read after reconnecting to a ZooKeeper member that lags,
   * or a slow reply overtaken by a watch) is ignored: settings never go back to an older version.
   */
  apply(node: ConfigNode): void {
    const key = `${node.version}\u0000${node.text ?? ''}`;
    if (key === this.seen) return;
    if (this.isOlder(node)) {
      this.log.info('cluster config: ignored a read older than the version seen', { version: node.version, newest: this.newest });
      return;
    }
    this.seen = key;
    this.newest = node.version;
    this.newestOrder = node.order;
    for (const wake of this.waiters) wake();
    let cluster: Partial<ClusterSettings>;
    try {
      cluster = node.text === null || node.text.trim() === '' ? {} : parseClusterConfig(node.text);
    } catch (e) {
      const problem = (e as Error).message;
      this.rejected = { version: node.version, problem };
      this.log.warn(`cluster config version ${node.version} rejected: ${problem}; version ${this.version} stays in force`);
      return;
    }
    this.cluster = cluster;
    this.version = node.version;
    this.rejected = undefined;
    this.current = { ...this.replica, ...cluster };
    this.log.info('cluster config applied', { version: node.version, settings: cluster });
  }

  /**
   * Older than the content last seen: by the coordinator's write order when both have one (it
   * survives a node deleted and created again, which restarts znode versions), else by version.
   * A missing node cannot be ordered and always applies (a deleted node hands every key back).
   */
  private isOlder(node: ConfigNode): boolean {
    if (node.text === null) return false;
    if (node.order !== undefined && this.newestOrder !== undefined) return node.order < this.newestOrder;
    return node.version < this.newest;
  }

  /**
   * Resolves once the watch has delivered version `version` or a later one (applied or
   * refused), or after `timeoutMs`. Only the watch applies content, in the order ZooKeeper
   * reports it, so that a write of this replica's own can never be undone by older news.
   */
  async whenSeen(version: number, timeoutMs: number): Promise<void> {
    if (this.newest >= version) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const check = () => {
        if (this.newest >= version) done();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(check);
    });
  }

  report(): ClusterConfigReport {
    return {
      version: this.version,
      cluster: { ...this.cluster },
      effective: { ...this.current },
      ...(this.rejected ? { rejected: { ...this.rejected } } : {}),
    };
  }
}
