// Quiver replica processes over one shared data root and a real ZooKeeper, for tests that kill,
// pause and restart them. Each replica may get its own connect string (a single ZooKeeper
// member, or a fault proxy in front of one), so a test knows which server it talks to.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startZooKeeper, fourLetterWord, type ZooKeeperCluster, type ZooKeeperNode } from './zookeeper.ts';
import { FlightClient } from '../../src/client/index.ts';
import { bySequence } from '../../src/coord/zookeeper/sequential-nodes.ts';
import { ZkSession } from '../../src/coord/zookeeper/session.ts';
import { ZnodeLayout } from '../../src/coord/zookeeper/znode-layout.ts';
import { startQuiver, tempDir, type QuiverProcess } from './quiver-process.ts';

export const REPLICA_SESSION_TIMEOUT = '2s';
/** Generous: waiting for an event, never asserting how long it took. */
export const CLUSTER_EVENT_WAIT_MS = 30_000;

export interface ClusterReport {
  is_leader: boolean;
  session: string;
  session_id: string | null;
  leader: { location: string } | null;
}

export class Replica {
  client!: FlightClient;
  private proc!: QuiverProcess;
  private paused = false;
  private killed = false;

  constructor(
    readonly name: string,
    private readonly connect: string,
    private readonly cluster: string,
    private readonly data: string,
    private readonly sessionTimeout = REPLICA_SESSION_TIMEOUT,
  ) {}

  async start(): Promise<void> {
    this.proc = await startQuiver(['--zk', this.connect, '--cluster', this.cluster, '--zk-session-timeout', this.sessionTimeout], this.data);
    this.client = new FlightClient(this.location);
    this.paused = this.killed = false;
  }

  get location(): string {
    return `grpc+tcp://127.0.0.1:${this.proc.port}`;
  }

  /** Serving calls: started, not killed, not paused. */
  get live(): boolean {
    return !this.paused && !this.killed && this.proc.child.exitCode === null && this.proc.child.signalCode === null;
  }

  get pid(): number {
    return this.proc.child.pid!;
  }

  stderr(): string {
    return this.proc.stderr();
  }

  kill(): void {
    this.killed = true;
    this.client.close();
    this.proc.child.kill('SIGKILL');
  }

  pause(): void {
    this.paused = true;
    this.proc.child.kill('SIGSTOP');
  }

  resume(): void {
    this.proc.child.kill('SIGCONT');
    this.paused = false;
  }

  /** This replica's own view (the cluster-status action). */
  async report(deadlineMs = 5000): Promise<ClusterReport> {
    for await (const body of this.client.doAction('cluster-status', '', { deadline: deadlineMs })) {
      return JSON.parse(Buffer.from(body).toString()) as ClusterReport;
    }
    throw new Error('cluster-status returned nothing');
  }

  async stop(): Promise<void> {
    this.client?.close();
    if (this.paused) this.resume();
    await this.proc?.stop('SIGKILL');
  }
}

export interface ReplicaClusterOptions {
  zkNodes: 1 | 3;
  replicas?: number;
  /** The connect string of replica `i`; all members by default. */
  connectFor?: (i: number, zk: ZooKeeperCluster) => string | Promise<string>;
  /** The replicas' --zk-session-timeout. */
  sessionTimeout?: string;
}

export class ReplicaCluster {
  readonly replicas: Replica[] = [];
  readonly name = `fm${randomUUID().slice(0, 8)}`;
  readonly data = tempDir('quiver-cluster-');
  readonly layout = new ZnodeLayout(this.name);

  private constructor(readonly zk: ZooKeeperCluster) {}

  static async start(options: ReplicaClusterOptions): Promise<ReplicaCluster> {
    const zk = await startZooKeeper({ nodes: options.zkNodes });
    const cluster = new ReplicaCluster(zk);
    try {
      // One after the other, so that the first one started is the first leader.
      for (let i = 0; i < (options.replicas ?? 3); i++) {
        const r = new Replica(`r${i}`, (await options.connectFor?.(i, zk)) ?? zk.connect, cluster.name, cluster.data, options.sessionTimeout);
        await r.start();
        cluster.replicas.push(r);
      }
    } catch (e) {
      await cluster.stop();
      throw e;
    }
    return cluster;
  }

  get live(): Replica[] {
    return this.replicas.filter((r) => r.live);
  }

  /** An admin session on the live ZooKeeper members. */
  async admin<T>(run: (session: ZkSession) => Promise<T>): Promise<T> {
    const connect = this.zk.nodes.filter((n) => n.running).map((n) => n.connect).join(',');
    const session = await ZkSession.open({ connect, sessionTimeoutMs: 4000 }, 15_000);
    try {
      return await run(session);
    } finally {
      await session.close();
    }
  }

  /** The replica whose election node is first, as the ensemble sees it (null: none of ours). */
  async electedLeader(): Promise<Replica | null> {
    return this.admin(async (s) => {
      const [first] = bySequence(await s.getChildren(this.layout.election));
      const node = first ? await s.getData(`${this.layout.election}/${first}`) : null;
      const location = node ? (JSON.parse(node.data.toString()) as { location: string }).location : '';
      return this.replicas.find((r) => r.live && r.location === location) ?? null;
    });
  }

  /** Waits until a live replica both is first in the election and says it leads. */
  async waitForLeader(exclude: Replica[] = [], timeoutMs = CLUSTER_EVENT_WAIT_MS): Promise<Replica> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      try {
        const leader = await this.electedLeader();
        if (leader && !exclude.includes(leader) && (await leader.report()).is_leader) return leader;
        last = leader ? `${leader.name} elected but not yet leading` : 'no live replica elected';
      } catch (e) {
        last = String(e);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`no leader within ${timeoutMs} ms (${last})`);
  }

  /** The ZooKeeper member a replica's session is attached to, from the servers' `cons` lists. */
  async memberServing(replica: Replica): Promise<ZooKeeperNode> {
    const sessionId = (await replica.report()).session_id;
    assert.ok(sessionId, `${replica.name} has no session`);
    const id = BigInt(`0x${sessionId}`).toString(16);
    for (const node of this.zk.nodes.filter((n) => n.running)) {
      const cons = await fourLetterWord(node.clientPort, 'cons').catch(() => '');
      if (new RegExp(`sid=0x${id}\\b`).test(cons)) return node;
    }
    throw new Error(`no ZooKeeper member lists session 0x${id} of ${replica.name}`);
  }

  async stop(): Promise<void> {
    for (const r of this.replicas) await r.stop().catch(() => {});
    await this.zk.stop();
  }
}
