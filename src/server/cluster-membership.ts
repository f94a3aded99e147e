// What a replica tells clients about the cluster: the live replicas' locations for FlightInfo
// endpoints (rotated per call so reads spread), and whether it may take writes itself.
import { NotLeaderError, type ClusterCoordination, type ClusterMember } from '../coord/coordinator.ts';
import type { ClusterReport } from '../flight/context.ts';

const REFRESH_MS = 2000;
/**
 * The retry hint of a write refused while no writer is known: a suspended session reconnects or
 * is declared lost within one session timeout, and an election re-runs in about a round trip.
 */
const RETRY_AFTER_S = 1;

export class ClusterMembership {
  private cached: string[] = [];
  private fetchedAt = 0;
  private turn = 0;

  constructor(private readonly coordinator: ClusterCoordination) {
    // A leadership or session change usually means membership changed too.
    coordinator.onStatusChange(() => (this.fetchedAt = 0));
  }

  async locations(): Promise<string[]> {
    if (Date.now() - this.fetchedAt > REFRESH_MS) {
      try {
        this.cached = (await this.coordinator.members()).map((m) => m.location);
        this.fetchedAt = Date.now();
      } catch {
        // ZooKeeper unreachable: reads of committed data go on; advertise at least ourselves.
        if (this.cached.length === 0) this.cached = [this.coordinator.status().self.location];
      }
    }
    const list = this.cached.length > 0 ? this.cached : [this.coordinator.status().self.location];
    const start = this.turn++ % list.length;
    return [...list.slice(start), ...list.slice(0, start)];
  }

  async report(): Promise<ClusterReport> {
    const status = this.coordinator.status();
    // Unreachable ZooKeeper is itself worth reporting: the session state says so. Not connected,
    // the report answers at once rather than wait for a connection (up to twice the session
    // timeout) to learn what it cannot know anyway.
    const connected = status.session === 'connected';
    const [leader, members] = await Promise.all([
      connected ? this.coordinator.leader().catch(() => null) : null,
      connected ? this.coordinator.members().catch(() => []) : [],
    ]);
    return { mode: 'cluster', cluster: status.cluster, self: status.self, isLeader: status.isLeader, session: status.session, sessionId: status.sessionId, leader, members };
  }

  /**
   * Null when this replica leads; the leader's location otherwise. When neither can be said, a
   * NotLeaderError (UNAVAILABLE, retriable) that says which of the cases it is, since each sends
   * the client (or an operator) somewhere else: this replica's own session is down (another
   * replica may well take the write), the election could not be read, nobody is a candidate, or
   * this replica is first in the election but still taking over.
   */
  async writeLeader(): Promise<string | null> {
    const status = this.coordinator.status();
    if (status.isLeader) return null;
    const self = status.self.location;
    const retry = `retry in about ${RETRY_AFTER_S} s`;
    let leader: ClusterMember | null;
    try {
      // While suspended this waits for the reconnection (usually quick, to another member), as
      // before; while lost it fails at once.
      leader = await this.coordinator.leader();
    } catch (e) {
      const session = this.coordinator.status().session;
      if (session !== 'connected') {
        // The election is probably intact: only this replica cannot see it.
        throw new NotLeaderError(
          `this replica (${self}) cannot take or forward writes right now: its own ZooKeeper session is ${session}, so it cannot tell which replica is the writer (the cluster may well have one); nothing was committed; ${retry}, or send the write to another replica; if this lasts, check this replica's link to ZooKeeper`,
        );
      }
      throw new NotLeaderError(`this replica (${self}) could not read the leader election from ZooKeeper (${e instanceof Error ? e.message : String(e)}); nothing was committed; ${retry}, or send the write to another replica`);
    }
    if (!leader) {
      throw new NotLeaderError(`no replica can take writes right now: the election has no candidate (the replicas are starting, or rejoining ZooKeeper with new sessions); nothing was committed; ${retry}`);
    }
    if (leader.location === self) {
      throw new NotLeaderError(`this replica (${self}) is first in the election but has not taken the writer role yet (it is taking over, or clearing a candidate node its previous ZooKeeper session left); nothing was committed; ${retry}`, leader);
    }
    return leader.location;
  }
}
