// Leader election: every replica keeps one ephemeral-sequential candidate node; the lowest
// sequence leads. Each candidate watches only its predecessor.
//
// A candidate leads only while (a) the session is CONNECTED, (b) its node is first and (c) the
// node's ephemeralOwner is the live session: a node left by a replaced session may still exist
// until the ensemble expires that session, and must not make the new session a leader.
// Leadership is dropped synchronously on SUSPENDED and LOST, and regained only by re-running the
// election after reconnecting. Nothing here watches the leader's own node: the authority for
// writes is the fence (a `check` of this node inside every publish multi), and a failed fence
// calls deposed(), which re-runs the election.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import zookeeper from 'node-zookeeper-client';
import { QuiverError } from '../../errors.ts';
import { createProtected, protectedMarker } from './protected-create.ts';
import { bySequence, predecessorGone, removeStrays } from './sequential-nodes.ts';
import type { SessionChange, ZkSession } from './session.ts';
import { ConnectionLossError, ZK, isZkCode } from './zk-errors.ts';

const RETRY_DELAY_MS = 200;

export interface Candidate {
  path: string;
  data: Buffer;
}

export class LeaderElection extends EventEmitter<{ leadership: [boolean]; error: [unknown]; ghost: [path: string, owner: string] }> {
  private own: { path: string; sessionId: string } | null = null;
  private leading = false;
  private stopped = false;
  private running: Promise<void> | null = null;
  private again = false;
  private decided: () => void = () => {};
  private readonly id = randomUUID();
  private readonly marker = protectedMarker(this.id);
  private readonly stopping = new AbortController();
  private readonly onState = (c: SessionChange) => {
    if (c.state !== 'connected') this.setLeading(false);
    this.kick();
  };

  constructor(
    private readonly session: ZkSession,
    /** Parent of the candidate nodes. */
    readonly dir: string,
    private readonly data: Buffer,
  ) {
    super();
  }

  /** Joins the election; resolves once this candidate knows whether it leads or waits. */
  async start(): Promise<void> {
    await this.session.ensurePath(this.dir);
    this.session.on('state', this.onState);
    const decided = new Promise<void>((resolve) => (this.decided = resolve));
    this.kick();
    await Promise.race([decided, this.running]);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** This candidate's node while it leads: what a fenced write checks. */
  get fence(): string | null {
    return this.leading && this.own ? this.own.path : null;
  }

  /** Resolves once this candidate leads (or rejects after `timeoutMs`). */
  whenLeader(timeoutMs: number): Promise<void> {
    if (this.leading) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('leadership', on);
        reject(new QuiverError('UNAVAILABLE', `not elected within ${timeoutMs} ms`, { retriable: true }));
      }, timeoutMs);
      const on = (leader: boolean) => {
        if (!leader) return;
        clearTimeout(timer);
        this.off('leadership', on);
        resolve();
      };
      this.on('leadership', on);
    });
  }

  /** All live candidates, leader first. */
  async candidates(): Promise<Candidate[]> {
    const names = bySequence(await this.session.getChildren(this.dir));
    const out: Candidate[] = [];
    for (const n of names) {
      const node = await this.session.getData(`${this.dir}/${n}`);
      if (node) out.push({ path: `${this.dir}/${n}`, data: node.data });
    }
    return out;
  }

  async leader(): Promise<Candidate | null> {
    for (;;) {
      const names = bySequence(await this.session.getChildren(this.dir));
      if (names.length === 0) return null;
      const path = `${this.dir}/${names[0]}`;
      const node = await this.session.getData(path);
      if (node) return { path, data: node.data };
    }
  }

  /** A fenced write found this candidate's node gone or replaced: stop leading, re-run. */
  deposed(): void {
    this.setLeading(false);
    this.own = null;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    this.session.off('state', this.onState);
    this.setLeading(false);
    await this.running;
    const own = this.own;
    this.own = null;
    if (own && this.session.state === 'connected') {
      await this.session.remove(own.path).catch((e) => {
        if (!isZkCode(e, ZK.NO_NODE) && !(e instanceof ConnectionLossError)) throw e;
      });
    }
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const loop = async () => {
      do {
        this.again = false;
        if (this.stopped || this.session.state !== 'connected') break;
        try {
          await this.step();
        } catch (e) {
          this.setLeading(false);
          if (!(e instanceof ConnectionLossError)) this.emit('error', e);
          if (this.session.state === 'connected' && !this.stopped) {
            await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
            this.again = true;
          }
        }
      } while (this.again && !this.stopped);
    };
    // Cleared asynchronously, so a kick that lands after the loop's last check is re-run.
    this.running = loop().finally(() => {
      this.running = null;
      if (this.again) this.kick();
    });
  }

  private async step(): Promise<void> {
    const sessionId = this.session.sessionId!;
    // Registered before the first await, so that no state change during this step is missed:
    // a wait below that began on one session must end when that session does.
    const sessionChanged = new AbortController();
    const onChange = (c: SessionChange) => {
      if (c.state !== 'connected' || c.sessionId !== sessionId) sessionChanged.abort();
    };
    this.session.on('state', onChange);
    try {
      await this.stepOn(sessionId, sessionChanged.signal);
    } finally {
      this.session.off('state', onChange);
    }
  }

  private async stepOn(sessionId: string, sessionChanged: AbortSignal): Promise<void> {
    if (this.own && this.own.sessionId !== sessionId) {
      const stale = this.own.path;
      this.own = null;
      await this.session.remove(stale).catch(() => {});
    }
    if (!this.own) {
      const path = await createProtected(this.session, this.dir, 'n_', this.data, zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, this.id);
      // The session that owns the node, not the one this step began on: a create that crossed a
      // session change was made (or made again) by the newer one.
      const stat = await this.session.exists(path);
      if (!stat) {
        this.again = true;
        return;
      }
      this.own = { path, sessionId: stat.ephemeralOwner.toString('hex') };
    }
    if (sessionChanged.aborted) {
      this.again = true;
      return;
    }
    const ownName = this.own.path.slice(this.dir.length + 1);
    const names = bySequence(await this.session.getChildren(this.dir));
    await removeStrays(this.session, this.dir, names, this.marker, ownName);
    const index = names.indexOf(ownName);
    if (index < 0) {
      this.own = null;
      this.setLeading(false);
      this.again = true;
      return;
    }
    // A node ahead of ours that carries this replica's own member data belongs to a session of
    // ours that was replaced (declared lost while the ensemble had not expired it, or revived by
    // the old client's late reconnect). Until ZooKeeper expires that session it would stay
    // first: the election would name this replica while this replica waits behind its own
    // ghost, and no replica would take writes. Only this process writes these bytes (the member
    // id is unique per process), and no client of that session writes any more, so removing it
    // cannot make a second writer.
    if (index > 0 && (await this.removeOwnGhosts(names.slice(0, index)))) {
      this.again = true;
      return;
    }
    if (index === 0) {
      const stat = await this.session.exists(this.own.path);
      const mine = stat !== null && stat.ephemeralOwner.toString('hex') === this.session.sessionId;
      if (!mine) {
        this.own = null;
        this.again = true;
      }
      this.setLeading(mine && this.session.state === 'connected' && !sessionChanged.aborted);
      if (mine) this.decided();
      return;
    }
    this.setLeading(false);
    this.decided();
    const stop = AbortSignal.any([this.stopping.signal, sessionChanged]);
    await predecessorGone(this.session, `${this.dir}/${names[index - 1]}`, stop);
    this.again = true;
  }

  /** Removes the nodes among `ahead` that hold this replica's member data; true if any did. */
  private async removeOwnGhosts(ahead: string[]): Promise<boolean> {
    let removed = false;
    for (const name of ahead) {
      const node = await this.session.getData(`${this.dir}/${name}`);
      if (!node || !node.data.equals(this.data)) continue;
      if (node.stat.ephemeralOwner.toString('hex') === this.session.sessionId) continue;
      this.emit('ghost', `${this.dir}/${name}`, node.stat.ephemeralOwner.toString('hex'));
      await this.session.remove(`${this.dir}/${name}`).catch((e) => {
        if (!isZkCode(e, ZK.NO_NODE)) throw e;
      });
      removed = true;
    }
    return removed;
  }

  private setLeading(leading: boolean): void {
    if (this.leading === leading) return;
    this.leading = leading;
    this.emit('leadership', leading);
  }
}
