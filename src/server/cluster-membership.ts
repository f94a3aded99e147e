// What a replica tells clients about the cluster: the live replicas' locations for FlightInfo
// endpoints (rotated per call so reads spread), and whether it may take writes itself.
import { NotLeaderError, type ClusterCoordination } from '../coord/coordinator.ts';
import type { ClusterReport } from '../flight/context.ts';

const REFRESH_MS = 2000;

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

  /** Null when this replica leads; the leader's location otherwise. */
  async writeLeader(): Promise<string | null> {
    const status = this.coordinator.status();
    if (status.isLeader) return null;
    const leader = await this.coordinator.leader().catch(() => null);
    if (!leader) throw new NotLeaderError('no replica can take writes right now: no leader is elected (is ZooKeeper reachable with a quorum?); retry shortly');
    if (leader.location === status.self.location) throw new NotLeaderError('this replica is taking over leadership; retry shortly', leader);
    return leader.location;
  }
}
