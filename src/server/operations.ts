// What operators get from a running server besides Flight: health (with the conditions that
// feed it), reflection, Prometheus metrics on the operations HTTP port. server.ts creates one of
// these before it builds its grpc-js server, tells it when the server is ready and when it drains.
import * as grpc from '@grpc/grpc-js';
import type { Coordinator } from '../coord/coordinator.ts';
import type { Logger } from '../flight/context.ts';
import type { MaintenanceRunner } from '../storage/maintenance/runner.ts';
import type { TableStore } from '../storage/table-store.ts';
import { DataRootProbe } from './data-root-probe.ts';
import { ServerHealth } from './health.ts';
import type { FeedStats } from '../feed/feed-stats.ts';
import type { QuiverMetrics } from './metrics/quiver-metrics.ts';
import { OpsHttpServer } from './ops-http.ts';
import { renderStatusPage } from './status-page/status-page.ts';
import { StatusSource } from './status-page/status-report.ts';
import type { ClusterReport, LookupObserver } from '../flight/context.ts';

export interface OperationsConfig {
  host: string;
  /** Unset: no operations HTTP port (no metrics endpoint). */
  metricsPort?: number;
}

export interface ReadyParts {
  data: string;
  coordinator: Coordinator;
  store: TableStore;
  maintenance: MaintenanceRunner;
  readOnly: () => boolean;
  /** What the cluster-status action answers (the status page shows it). */
  clusterStatus: () => Promise<ClusterReport>;
  /** The change feed's follow streams, for the metrics. */
  feed?: FeedStats;
}

export class Operations {
  readonly health = new ServerHealth();
  private probe: DataRootProbe | null = null;
  private http: OpsHttpServer | null = null;
  private readOnly: () => boolean = () => false;

  private server: grpc.Server | null = null;

  private constructor(private readonly config: OperationsConfig, private readonly log: Logger, readonly metrics: QuiverMetrics | null) {
    this.health.onChange((r) => this.log.info('health', { status: r.status, writes: r.writes, problems: r.problems }));
  }

  static async create(config: OperationsConfig, log: Logger): Promise<Operations> {
    // prom-client takes a noticeable part of a second to load: only when metrics are on.
    const metrics = config.metricsPort === undefined ? null : new (await import('./metrics/quiver-metrics.ts')).QuiverMetrics();
    return new Operations(config, log, metrics);
  }

  /** For the grpc-js Server options: the metrics interceptor, when metrics are on. */
  get interceptors(): grpc.ServerInterceptor[] {
    return this.metrics ? [this.metrics.grpc.interceptor] : [];
  }

  /** DoExchange lookups report here, when metrics are on. */
  get lookupObserver(): LookupObserver | undefined {
    return this.metrics?.lookups;
  }

  /** The service with its message bytes counted, when metrics are on. */
  instrument(definition: grpc.ServiceDefinition): grpc.ServiceDefinition {
    return this.metrics ? this.metrics.grpc.countBytes(definition) : definition;
  }

  /** Adds health to the server (before it binds); reflection follows once the server is ready. */
  addServices(server: grpc.Server): void {
    this.health.addToServer(server);
    this.server = server;
  }

  /** The server can take calls: health follows its conditions from now on. */
  async ready(parts: ReadyParts): Promise<void> {
    this.readOnly = parts.readOnly;
    const { coordinator } = parts;
    const cluster = coordinator.cluster;
    if (cluster) {
      const follow = (session: string) => this.health.set('zookeeper-session', session !== 'connected');
      cluster.onStatusChange((s) => follow(s.session));
      follow(cluster.status().session);
    }
    this.probe = new DataRootProbe(parts.data, (writable, error) => {
      if (!writable && !this.health.report().problems.includes('data-root-unwritable')) this.log.warn('data root is not writable', { data: parts.data, error: error?.message });
      this.health.set('data-root-unwritable', !writable);
      // Read-only can change live (the cluster's config node); the probe's tick is the backstop
      // for settingsChanged().
      this.settingsChanged();
    });
    await this.probe.start();
    const metrics = this.metrics;
    if (metrics) {
      metrics.attach({ store: parts.store, coordinator, maintenance: parts.maintenance, health: this.health, ...(parts.feed ? { feed: parts.feed } : {}) });
      const status = new StatusSource(coordinator, parts.clusterStatus, parts.maintenance);
      const noStore = { 'cache-control': 'no-store' };
      this.http = await OpsHttpServer.listen(this.config.host, this.config.metricsPort!, {
        '/metrics': async (_req, res) => {
          const text = await metrics.text();
          res.writeHead(200, { 'content-type': metrics.contentType }).end(text);
        },
        '/status.json': async (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...noStore }).end(JSON.stringify(await status.report()));
        },
        '/status': async (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...noStore }).end(renderStatusPage(await status.report()));
        },
      });
      this.log.info('metrics', { port: this.http.port, path: '/metrics' });
    }
    this.health.set('starting', false);
    // Building the reflection descriptors costs about half a second of CPU: done right after the
    // start, not before it (a reflection call in that moment is told UNIMPLEMENTED).
    const server = this.server;
    if (server) {
      setImmediate(() => {
        import('./reflection.ts').then(({ addReflection }) => addReflection(server)).catch((e: unknown) => this.log.error('server reflection could not start', e));
      });
    }
  }

  /** Re-reads the live settings health depends on (call after the config node changes). */
  settingsChanged(): void {
    this.health.set('read-only', this.readOnly());
  }

  /**
   * First step of a drain: every service reports NOT_SERVING, so that load balancers stop
   * sending new calls, for `delayMs` before the port closes.
   */
  async beginDrain(delayMs: number): Promise<void> {
    this.health.set('draining', true);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  }

  /** The port is closed: open Watch streams end, so that the graceful shutdown need not wait for them. */
  async portClosed(): Promise<void> {
    this.health.endWatches();
  }

  async close(): Promise<void> {
    await this.http?.close();
    await this.probe?.stop();
  }
}
