// What the status page shows, as one JSON document (GET /status.json, documented in the
// README): this replica and its role, the leader and members with their health, the ZooKeeper
// session, the tables with their current version, the latest commits, this replica's recent
// maintenance runs and the settings in force with where each comes from.
import type { Coordinator } from '../../coord/coordinator.ts';
import type { ClusterReport } from '../../flight/context.ts';
import type { MaintenanceReport, MaintenanceRunner } from '../../storage/maintenance/runner.ts';

/** Tables listed at most (the page is for people; the Flight API lists them all). */
export const MAX_TABLES = 200;
const MAX_COMMITS = 10;
const MAX_RUNS = 10;

export interface StatusReport {
  generatedAt: string;
  self: string;
  role: 'leader' | 'follower' | 'embedded';
  leader: string | null;
  session: string | null;
  health: ClusterReport['health'];
  members: { location: string; role: 'leader' | 'follower'; health: string }[];
  tables: { name: string; version: number; rows: number | null; bytes: number | null; committedAt: string | null }[];
  tablesTruncated: boolean;
  latestCommits: { table: string; version: number; rows: number | null; committedAt: string }[];
  maintenance: { trigger: string; startedAt: string; finishedAt: string; expiredVersions: number; compactedTables: number; deletedFiles: number; errors: number }[];
  config: { key: string; value: unknown; from: 'cluster' | 'replica' }[];
  configVersion: number | null;
}

export class StatusSource {
  private readonly runs: MaintenanceReport[] = [];

  constructor(
    private readonly coordinator: Coordinator,
    private readonly cluster: () => Promise<ClusterReport>,
    maintenance: MaintenanceRunner,
  ) {
    maintenance.finished.add((r) => {
      this.runs.unshift(r);
      this.runs.length = Math.min(this.runs.length, MAX_RUNS);
    });
  }

  async report(): Promise<StatusReport> {
    const [cluster, heads] = await Promise.all([this.cluster(), this.coordinator.listHeads().catch(() => null)]);
    const tables = (heads ?? []).map((h) => ({
      name: h.table,
      version: h.head.version,
      rows: h.head.catalog?.rows ?? null,
      bytes: h.head.catalog?.arrowBytes ?? null,
      committedAt: h.head.catalog?.committedAt ?? null,
    }));
    const latestCommits = tables
      .filter((t): t is typeof t & { committedAt: string } => t.committedAt !== null)
      .sort((a, b) => b.committedAt.localeCompare(a.committedAt))
      .slice(0, MAX_COMMITS)
      .map((t) => ({ table: t.name, version: t.version, rows: t.rows, committedAt: t.committedAt }));
    const config = cluster.config;
    return {
      generatedAt: new Date().toISOString(),
      self: cluster.self.location,
      role: cluster.mode === 'local' ? 'embedded' : cluster.isLeader ? 'leader' : 'follower',
      leader: cluster.leader?.location ?? null,
      session: cluster.session ?? null,
      health: cluster.health,
      members: cluster.members.map((m) => ({ location: m.location, role: m.location === cluster.leader?.location ? 'leader' : 'follower', health: m.health ?? 'UNKNOWN' })),
      tables: tables.slice(0, MAX_TABLES),
      tablesTruncated: tables.length > MAX_TABLES,
      latestCommits,
      maintenance: this.runs.map((r) => ({ trigger: r.trigger, startedAt: r.startedAt, finishedAt: r.finishedAt, expiredVersions: r.expiredVersions, compactedTables: r.compactedTables, deletedFiles: r.deletedFiles, errors: r.errors })),
      config: Object.entries(config?.effective ?? {}).map(([key, value]) => ({ key, value, from: config && key in config.cluster ? 'cluster' : 'replica' })),
      configVersion: config?.version ?? null,
    };
  }
}
