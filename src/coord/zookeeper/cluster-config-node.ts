// The cluster config node (layout in znode-layout.ts): any replica reads, watches and writes it,
// by compare-and-set on its znode version and without a fence, since changing settings is not a
// commit. Its text is handed on as it is: src/server/cluster-settings.ts validates it, refuses a
// broken node whole (the settings in force stay) and the cluster-config action repairs it, which
// it could not if reading a broken node failed here.
import type { ConfigNode } from '../coordinator.ts';
import type { SessionOptions, ZkSession } from './session.ts';
import { unavailableOnLoss } from './unavailable-on-loss.ts';
import { WatchedNode } from './watched-node.ts';
import { ZK, isZkCode } from './zk-errors.ts';

export class ClusterConfigNode {
  private readonly watched: WatchedNode[] = [];

  constructor(
    private readonly session: ZkSession,
    private readonly path: string,
    private readonly log?: SessionOptions['log'],
  ) {}

  async read(): Promise<ConfigNode> {
    return unavailableOnLoss(this.session, async () => {
      const node = await this.session.getData(this.path);
      return node ? { text: node.data.toString('utf8'), version: node.stat.version, order: node.stat.mzxid.readBigInt64BE(0) } : { text: null, version: -1 };
    });
  }

  /** The new node, or null when its version is no longer `expected` (-1: it must not exist). */
  async write(text: string, expected: number): Promise<ConfigNode | null> {
    return unavailableOnLoss(this.session, async () => {
      try {
        if (expected === -1) {
          await this.session.create(this.path, Buffer.from(text));
          return { text, version: 0 };
        }
        const stat = await this.session.setData(this.path, Buffer.from(text), expected);
        return { text, version: stat.version };
      } catch (e) {
        if (isZkCode(e, ZK.BAD_VERSION) || isZkCode(e, ZK.NODE_EXISTS) || isZkCode(e, ZK.NO_NODE)) return null;
        throw e;
      }
    });
  }

  async watch(listener: (node: ConfigNode) => void): Promise<void> {
    const node = new WatchedNode(this.session, this.path, listener, (e) => this.log?.('reading the cluster config failed', { error: String(e) }));
    this.watched.push(node);
    await node.start();
  }

  stop(): void {
    for (const w of this.watched) w.stop();
  }
}
