// Whether this replica may write, as every fenced write asks it: the elected writer's own
// election node is the fence (a multi's `check` on it fails once the session expired or the
// node was replaced), and a failed fence makes this replica step down at once.
import { CoordinationUnavailableError, NotLeaderError, type ClusterMember } from '../coordinator.ts';
import type { LeaderElection } from './leader-election.ts';
import type { ZkSession } from './session.ts';
import { ConnectionLossError, MultiError } from './zk-errors.ts';

export class WriterRole {
  constructor(
    private readonly session: ZkSession,
    private readonly election: LeaderElection,
    private readonly selfId: string,
    /** The leader as the ensemble sees it, named in the NotLeaderError a follower throws. */
    private readonly leader: () => Promise<ClusterMember | null>,
  ) {}

  /** The fence (own election node path) while this replica leads; NotLeaderError otherwise. */
  async fence(what: string): Promise<string> {
    const fence = this.election.fence;
    if (fence && this.session.state === 'connected') return fence;
    const leader = await this.leader().catch(() => null);
    if (!leader && this.session.state !== 'connected') {
      throw new NotLeaderError(`cannot ${what}: replica ${this.selfId} is not the cluster's writer: its ZooKeeper session is ${this.session.state}, so it cannot say which replica is; nothing was committed; retry in about 1 s, or send the write to another replica`);
    }
    const where = !leader
      ? '; no writer could be read from the election right now; retry in about 1 s'
      : leader.id === this.selfId
        ? '; the election names this replica, which is still taking the role over; retry in about 1 s'
        : `; the writer is ${leader.id} at ${leader.location}: send the write there`;
    throw new NotLeaderError(`cannot ${what}: replica ${this.selfId} is not the cluster's writer (session ${this.session.state})${where}; nothing was committed`, leader);
  }

  /**
   * True while this replica leads on a connected session. It became leader by seeing its own
   * election node first, on this session, after its predecessor's node was gone; ZooKeeper
   * applies writes in one order and a session never sees an older state than it has seen, so
   * from then on this session's plain reads already show every commit of earlier writers (made
   * before their nodes went) and all of its own: a sync adds nothing.
   */
  leadsNow(): boolean {
    return this.election.fence !== null && this.session.state === 'connected';
  }

  /** A fence check failed: step down and say so. */
  deposed(): NotLeaderError {
    this.election.deposed();
    return new NotLeaderError(`replica ${this.selfId} lost the writer role (its election node is gone); nothing was committed`, null);
  }

  /**
   * An AbortSignal that fires (with a NotLeaderError) once this replica stops leading, for
   * waits that are pointless without the role; `done` stops watching.
   */
  whileLeading(what: string): { signal: AbortSignal; done: () => void } {
    const lostRole = new AbortController();
    const onLeadership = (leading: boolean) => {
      if (!leading) lostRole.abort(new NotLeaderError(`cannot ${what}: replica ${this.selfId} stopped being the cluster's writer (session ${this.session.state}) while waiting for the table's commit lock; nothing was committed`));
    };
    this.election.on('leadership', onLeadership);
    if (!this.election.isLeader) onLeadership(false);
    return { signal: lostRole.signal, done: () => this.election.off('leadership', onLeadership) };
  }

  /** A fenced no-op: resolves only once the ensemble confirmed this replica still leads. */
  async confirm(what: string): Promise<void> {
    const fence = await this.fence(what);
    try {
      await this.session.multi([{ op: 'check', path: fence, version: 0 }]);
    } catch (e) {
      if (e instanceof MultiError) throw this.deposed();
      if (e instanceof ConnectionLossError) throw new CoordinationUnavailableError(`cannot ${what}: ZooKeeper did not confirm this replica's leadership (session ${this.session.state})`, e);
      throw e;
    }
  }
}
