// The cluster the fault campaign breaks: a three-member ZooKeeper ensemble and three quiver
// replica processes on one shared data root, with every network link a fault can cut behind a
// LinkProxy (test/harness/link-proxy.ts):
//   - replica i reaches ZooKeeper member m through its own proxy zk[i][m], so one replica can be
//     cut off from the whole ensemble while the others are not;
//   - replica i advertises its peer proxy, so the other replicas (forwarding DoPut to the leader)
//     and the endpoints of GetFlightInfo reach it through that proxy; the test's own clients
//     call it directly, so a replica cut off from its peers still answers its clients, which is
//     the case that matters (a deposed leader must not commit what it is sent).
// The data root is a small tmpfs when the test may mount one (root), so the disk can be filled
// for real; otherwise a plain temp directory, and the disk-full fault is left out.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { FlightClient } from '../../src/client/index.ts';
import { ZkSession } from '../../src/coord/zookeeper/session.ts';
import { ZnodeLayout } from '../../src/coord/zookeeper/znode-layout.ts';
import { LinkProxy } from '../harness/link-proxy.ts';
import { startQuiver, tempDir, type QuiverProcess } from '../harness/quiver-process.ts';
import { startZooKeeper, type ZooKeeperCluster } from '../harness/zookeeper.ts';

export const SESSION_TIMEOUT = '2s';
/** Big enough for many tables of small writes; a tmpfs takes memory only for what it holds. */
const DATA_ROOT_BYTES = 1024 * 1024 * 1024;

export interface ReplicaStatus {
  is_leader: boolean;
  session: string;
  leader: { location: string } | null;
}

export class FaultReplica {
  client!: FlightClient;
  private proc: QuiverProcess | null = null;
  paused = false;

  constructor(
    readonly index: number,
    readonly zkLinks: LinkProxy[],
    readonly peerLink: LinkProxy,
    private readonly args: string[],
    private readonly data: string,
  ) {}

  get name(): string {
    return `r${this.index}`;
  }

  async start(): Promise<void> {
    const connect = this.zkLinks.map((l) => l.address).join(',');
    this.proc = await startQuiver(['--zk', connect, '--advertise', `grpc+tcp://${this.peerLink.address}`, ...this.args], this.data);
    this.peerLink.retarget(this.proc.port);
    this.client = new FlightClient(`grpc+tcp://${this.proc.address}`);
    this.paused = false;
  }

  get running(): boolean {
    return this.proc !== null && this.proc.child.exitCode === null && this.proc.child.signalCode === null;
  }

  /** Running and not paused: the test's clients may call it. */
  get live(): boolean {
    return this.running && !this.paused;
  }

  stderr(): string {
    return this.proc?.stderr() ?? '';
  }

  async kill(): Promise<void> {
    this.client?.close();
    await this.proc?.stop('SIGKILL');
    this.proc = null;
    this.paused = false;
  }

  pause(): void {
    this.proc?.child.kill('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    this.proc?.child.kill('SIGCONT');
    this.paused = false;
  }

  async status(deadlineMs = 3000): Promise<ReplicaStatus> {
    for await (const body of this.client.doAction('cluster-status', '', { deadline: deadlineMs })) {
      return JSON.parse(Buffer.from(body).toString()) as ReplicaStatus;
    }
    throw new Error(`${this.name}: cluster-status returned nothing`);
  }

  async stop(): Promise<void> {
    if (this.paused) this.resume();
    await this.kill();
  }
}

export class FaultCluster {
  readonly replicas: FaultReplica[] = [];
  readonly name = `faults${randomUUID().slice(0, 8)}`;
  readonly layout = new ZnodeLayout(this.name);
  private readonly links: LinkProxy[] = [];
  private adminSession: ZkSession | null = null;

  private constructor(
    readonly zk: ZooKeeperCluster,
    readonly data: string,
    /** True when `data` is a tmpfs of its own that the disk-full fault may fill. */
    readonly ownFilesystem: boolean,
  ) {}

  static async start(options: { replicas?: number; log?: (line: string) => void } = {}): Promise<FaultCluster> {
    const { data, mounted } = dataRoot(options.log);
    let zk: ZooKeeperCluster | undefined;
    let cluster: FaultCluster | undefined;
    try {
      // Three JVMs starting at once on a loaded machine can miss the harness's 30 s: try again.
      for (let attempt = 1; !zk; attempt++) {
        zk = await startZooKeeper({ nodes: 3 }).catch((e: Error) => {
          if (attempt >= 3) throw e;
          options.log?.(`# ZooKeeper did not start (${e.message.split('\n')[0]}); again`);
          return undefined;
        });
      }
      cluster = new FaultCluster(zk, data, mounted);
      for (let i = 0; i < (options.replicas ?? 3); i++) {
        const zkLinks = await Promise.all(zk.nodes.map((n) => LinkProxy.start(n.clientPort)));
        const peerLink = await LinkProxy.start();
        cluster.links.push(...zkLinks, peerLink);
        const r = new FaultReplica(i, zkLinks, peerLink, ['--cluster', cluster.name, '--zk-session-timeout', SESSION_TIMEOUT], data);
        await cluster.startReplica(r, options.log ?? (() => {}));
        cluster.replicas.push(r);
      }
      return cluster;
    } catch (e) {
      if (cluster) await cluster.stop();
      else {
        await zk?.stop();
        releaseDataRoot(data, mounted);
      }
      throw e;
    }
  }

  get live(): FaultReplica[] {
    return this.replicas.filter((r) => r.live);
  }

  /**
   * `run` on an admin session to the ensemble (directly, not through any proxy). One session is
   * kept across steps (opening one costs more than a step's reads); a failure closes it and
   * `run` is tried once more on a fresh one.
   */
  async admin<T>(run: (session: ZkSession) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (!this.adminSession || this.adminSession.state === 'closed') this.adminSession = await ZkSession.open({ connect: this.zk.connect, sessionTimeoutMs: 10_000 }, 20_000);
        await this.adminSession.whenConnected(20_000);
        return await run(this.adminSession);
      } catch (e) {
        await this.adminSession?.close().catch(() => {});
        this.adminSession = null;
        if (attempt > 0) throw e;
      }
    }
  }

  /** Replica starts that failed (the process exited before listening), across the run. */
  readonly startFailures: string[] = [];

  /** Starts `r` (again), retrying when it exits while starting: each such exit is recorded. */
  async startReplica(r: FaultReplica, log: (line: string) => void, attempts = 4): Promise<void> {
    for (let failed = 1; ; failed++) {
      try {
        return await r.start();
      } catch (e) {
        const why = (e as Error).message.split('\n').filter(Boolean).slice(-2).join(' | ').slice(0, 300);
        this.startFailures.push(`${r.name}: ${why}`);
        log(`# ${r.name} failed to start: ${why}`);
        if (failed >= attempts) throw e;
      }
    }
  }

  /** The live replica that says it leads (null: none does right now). */
  async leader(): Promise<FaultReplica | null> {
    for (const r of this.live) {
      const s = await r.status(2000).catch(() => null);
      if (s?.is_leader) return r;
    }
    return null;
  }

  async stop(): Promise<void> {
    await this.adminSession?.close().catch(() => {});
    for (const r of this.replicas) await r.stop().catch(() => {});
    for (const l of this.links) await l.close().catch(() => {});
    await this.zk.stop().catch(() => {});
    releaseDataRoot(this.data, this.ownFilesystem);
  }
}

function dataRoot(log?: (line: string) => void): { data: string; mounted: boolean } {
  const data = tempDir('quiver-faults-');
  if (process.platform === 'linux' && process.getuid?.() === 0) {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${DATA_ROOT_BYTES},mode=0755`, 'tmpfs', data], { stdio: 'pipe' });
      return { data, mounted: true };
    } catch (e) {
      log?.(`# no tmpfs for the data root (${(e as Error).message.split('\n')[0]}): the disk-full fault is left out`);
    }
  } else {
    log?.('# not root: no tmpfs for the data root, the disk-full fault is left out');
  }
  return { data, mounted: false };
}

function releaseDataRoot(data: string, mounted: boolean): void {
  if (mounted) {
    try {
      execFileSync('umount', [data], { stdio: 'pipe' });
    } catch {
      // A process still holding a file there: a lazy unmount finishes once it lets go.
      execFileSync('umount', ['-l', data], { stdio: 'pipe' });
    }
  }
  fs.rmSync(data, { recursive: true, force: true });
}

/**
 * Fills the filesystem holding `dir` to the last byte; returns a directory of ballast files to remove.
 * Replicas keep writing while it fills, so one allocation of what statfs reported free can meet
 * ENOSPC (a CI run did): it tops up with ever smaller files until nothing is left.
 */
export function fillFilesystem(dir: string): string {
  const ballast = path.join(dir, `ballast-${randomUUID().slice(0, 8)}`);
  fs.mkdirSync(ballast);
  let limit = Number.POSITIVE_INFINITY;
  for (let n = 0; ; n++) {
    const { bavail, bsize } = fs.statfsSync(dir);
    const size = Math.min(bavail * bsize, limit);
    if (size < bsize) break;
    const file = path.join(ballast, String(n));
    try {
      execFileSync('fallocate', ['-l', String(size), file], { stdio: 'pipe' });
    } catch {
      fs.rmSync(file, { force: true });
      limit = Math.floor(size / 2);
    }
  }
  return ballast;
}
