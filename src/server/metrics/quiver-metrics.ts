// The Prometheus registry of one server: Node's process metrics, the gRPC server metrics and
// quiver's own (commits, the decoded-file cache, Parquet workers, the cluster, maintenance,
// health). Counters move as events happen (storage observers, maintenance reports); gauges are
// read from their sources when scraped. No label carries a table name, so the number of series
// stays bounded however many tables there are.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Coordinator } from '../../coord/coordinator.ts';
import type { FeedStats } from '../../feed/feed-stats.ts';
import type { MaintenanceRunner } from '../../storage/maintenance/runner.ts';
import type { TableStore } from '../../storage/table-store.ts';
import type { LookupObserver } from '../../flight/context.ts';
import type { ServerHealth } from '../health.ts';
import { HEALTH_FLIGHT, HEALTH_OVERALL, HEALTH_WRITES } from '../health.ts';
import { GrpcMetrics } from './grpc-metrics.ts';

const SESSION_STATES = ['connecting', 'connected', 'suspended', 'lost', 'closed'] as const;

export interface MetricSources {
  store: TableStore;
  coordinator: Coordinator;
  maintenance: MaintenanceRunner;
  health: ServerHealth;
  /** The change feed's follow streams (absent: no feed metrics). */
  feed?: FeedStats;
}

export class QuiverMetrics {
  readonly registry = new Registry();
  readonly grpc: GrpcMetrics;
  private sources: MetricSources | null = null;

  /** For the Flight context: DoExchange lookups report through it. */
  readonly lookups: LookupObserver;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.grpc = new GrpcMetrics(this.registry);
    const registers = [this.registry];
    const caches: { readonly bytes: number }[] = [];
    const keys = new Counter({ name: 'quiver_lookup_keys_total', help: 'Keys looked up through DoExchange (rows of the input batches).', registers });
    const batches = new Counter({ name: 'quiver_lookup_batches_total', help: 'Input batches answered by DoExchange lookups.', registers });
    new Gauge({ name: 'quiver_lookup_index_bytes', help: 'Bytes held by DoExchange lookup indexes (--lookup-index-bytes is the budget).', registers, collect() { this.set(caches.reduce((n, c) => n + c.bytes, 0)); } });
    this.lookups = {
      indexCache: (cache) => caches.push(cache),
      looked: (n) => {
        keys.inc(n);
        batches.inc();
      },
    };
  }

  /** Wires the counters and gauges to a started server's parts. */
  attach(sources: MetricSources): void {
    this.sources = sources;
    const registers = [this.registry];
    const read = <T>(pick: (s: MetricSources) => T): T | null => (this.sources ? pick(this.sources) : null);

    const commits = new Counter({ name: 'quiver_commits_total', help: 'Versions committed by this replica (DoPut, SQL writes, import), by operation.', labelNames: ['operation'], registers });
    const rows = new Counter({ name: 'quiver_committed_rows_total', help: 'Rows added by the versions this replica committed.', registers });
    const bytes = new Counter({ name: 'quiver_committed_bytes_total', help: 'Arrow bytes added by the versions this replica committed.', registers });
    const latency = new Histogram({ name: 'quiver_commit_duration_seconds', help: 'From asking for the table lock to the published version.', registers });
    const failures = new Counter({ name: 'quiver_commit_failures_total', help: 'Commits that did not publish: conflict (the head moved), unknown_outcome (ZooKeeper lost mid-publish), other.', labelNames: ['reason'], registers });
    for (const reason of ['conflict', 'unknown_outcome', 'other']) failures.inc({ reason }, 0);
    sources.store.observers.add({
      committed: (e) => {
        commits.inc({ operation: e.operation });
        rows.inc(e.rows);
        bytes.inc(e.bytes);
        latency.observe(e.seconds);
      },
      commitFailed: (reason) => failures.inc({ reason }),
    });

    const cache = () => read((s) => s.store.cacheStats());
    new Gauge({ name: 'quiver_cache_bytes', help: 'Bytes of decoded data files held for DoGet.', registers, collect() { this.set(cache()?.bytes ?? 0); } });
    new Gauge({ name: 'quiver_cache_budget_bytes', help: 'The decoded-file cache\'s budget (--cache-bytes).', registers, collect() { this.set(cache()?.budgetBytes ?? 0); } });
    new Counter({ name: 'quiver_cache_hits_total', help: 'Data file reads answered from the decoded-file cache.', registers, collect() { this.reset(); this.inc(cache()?.hits ?? 0); } });
    new Counter({ name: 'quiver_cache_misses_total', help: 'Data file reads that decoded the file.', registers, collect() { this.reset(); this.inc(cache()?.misses ?? 0); } });

    const pool = () => read((s) => s.store.pool.stats());
    new Gauge({ name: 'quiver_parquet_workers', help: 'Parquet worker threads started.', registers, collect() { this.set(pool()?.workers ?? 0); } });
    new Gauge({ name: 'quiver_parquet_workers_busy', help: 'Parquet worker threads with work.', registers, collect() { this.set(pool()?.busy ?? 0); } });
    new Gauge({ name: 'quiver_parquet_queue_length', help: 'Parquet operations waiting behind another on a busy worker.', registers, collect() { this.set(pool()?.queued ?? 0); } });

    const coordinator = sources.coordinator;
    const cluster = coordinator.cluster;
    new Gauge({
      name: 'quiver_zookeeper_session_state', help: 'ZooKeeper session state: 1 for the current one (absent in embedded mode).', labelNames: ['state'], registers,
      collect() {
        if (!cluster) return;
        const now = cluster.status().session;
        for (const state of SESSION_STATES) this.set({ state }, state === now ? 1 : 0);
      },
    });
    new Gauge({ name: 'quiver_leader', help: '1 while this replica is the elected writer (always 1 in embedded mode).', registers, collect() { this.set(cluster ? (cluster.status().isLeader ? 1 : 0) : 1); } });
    new Gauge({
      name: 'quiver_cluster_members', help: 'Live replicas as ZooKeeper lists them (1 in embedded mode; unchanged while ZooKeeper is unreachable).', registers,
      async collect() {
        if (!cluster) return this.set(1);
        if (cluster.status().session !== 'connected') return;
        const members = await cluster.members().catch(() => null);
        if (members) this.set(members.length);
      },
    });

    const runs = new Counter({ name: 'quiver_maintenance_runs_total', help: 'Maintenance runs finished, by trigger (schedule or action).', labelNames: ['trigger'], registers });
    const expired = new Counter({ name: 'quiver_maintenance_expired_versions_total', help: 'Versions expired by maintenance.', registers });
    const compacted = new Counter({ name: 'quiver_maintenance_compacted_tables_total', help: 'Tables compacted into a new version by maintenance.', registers });
    const collected = new Counter({ name: 'quiver_maintenance_deleted_files_total', help: 'Unreferenced files deleted by maintenance.', registers });
    const collectedBytes = new Counter({ name: 'quiver_maintenance_deleted_bytes_total', help: 'Bytes of the unreferenced files deleted by maintenance.', registers });
    const errors = new Counter({ name: 'quiver_maintenance_errors_total', help: 'Maintenance steps that failed.', registers });
    sources.maintenance.finished.add((r) => {
      runs.inc({ trigger: r.trigger });
      expired.inc(r.expiredVersions);
      compacted.inc(r.compactedTables);
      collected.inc(r.deletedFiles);
      collectedBytes.inc(r.deletedBytes);
      errors.inc(r.errors);
    });

    const feed = () => read((s) => s.feed ?? null);
    new Gauge({ name: 'quiver_follow_streams', help: 'Change feed follow streams (DoGet on a follow ticket) open on this replica.', registers, collect() { this.set(feed()?.followers ?? 0); } });
    new Counter({ name: 'quiver_follow_versions_sent_total', help: 'Versions (each with its marker) sent by this replica\'s follow streams.', registers, collect() { this.reset(); this.inc(feed()?.versionsSent ?? 0); } });
    new Gauge({ name: 'quiver_follow_lag_max_versions', help: 'Committed versions the follow stream furthest behind has not been sent yet (a reader that stopped reading holds its stream back: this grows, server memory does not).', registers, collect() { this.set(feed()?.maxLag ?? 0); } });
    new Gauge({ name: 'quiver_follow_queued_bytes', help: 'Bytes this replica\'s follow streams have handed to grpc and HTTP/2 flow control has not let out yet, summed over the streams; each stream stops reading versions at 1 MiB (FOLLOW_QUEUE_BYTES) and so holds at most that plus one message, however far behind its reader is.', registers, collect() { this.set(feed()?.queuedBytes ?? 0); } });
    new Gauge({ name: 'quiver_follow_queued_bytes_max', help: 'The most bytes any one follow stream of this replica has queued in grpc now (bounded by 1 MiB plus one message).', registers, collect() { this.set(feed()?.maxQueuedBytes ?? 0); } });
    new Gauge({ name: 'quiver_follow_lag_versions', help: 'Committed versions not yet sent, summed over this replica\'s follow streams.', registers, collect() { this.set(feed()?.totalLag ?? 0); } });

    new Gauge({
      name: 'quiver_health_serving', help: 'grpc.health.v1 status per service name: 1 SERVING, 0 NOT_SERVING.', labelNames: ['service'], registers,
      collect() {
        const h = read((s) => s.health.report());
        if (!h) return;
        this.set({ service: HEALTH_OVERALL }, h.status === 'SERVING' ? 1 : 0);
        this.set({ service: HEALTH_FLIGHT }, h.status === 'SERVING' ? 1 : 0);
        this.set({ service: HEALTH_WRITES }, h.writes === 'SERVING' ? 1 : 0);
      },
    });
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
