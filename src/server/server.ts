// Assembly: storage + coordinator + Flight handlers on a grpc-js server, and its lifecycle.
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { LocalCoordinator } from '../coord/local-coordinator.ts';
import { BucketCoordinator } from '../coord/bucket/bucket-coordinator.ts';
import { openDataRoot } from '../object-store/data-root.ts';
import { ZooKeeperCoordinator } from '../coord/zookeeper/zookeeper-coordinator.ts';
import { QuiverError } from '../errors.ts';
import { ClusterMembership } from './cluster-membership.ts';
import type { Coordinator } from '../coord/coordinator.ts';
import { Authenticator } from '../flight/auth.ts';
import type { FlightContext, Logger } from '../flight/context.ts';
import { EndpointLeases } from '../flight/endpoint-leases.ts';
import { flightHandlers, flightService } from '../flight/flight-service.ts';
import { FollowService } from '../feed/follow-service.ts';
import { requestIds } from '../flight/request-id.ts';
import { readSessionPolicy } from '../flight/read-session.ts';
import { SessionOptionsStore } from '../flight/session-options.ts';
import { FlightSqlService, openDuckDbEngine, withSqlSessionOptions, type SqlEngine } from '../sql/index.ts';
import { MaintenanceRunner } from '../storage/maintenance/runner.ts';
import { MaintenanceSchedule } from '../storage/maintenance/schedule.ts';
import { ConversionLoop } from '../storage/maintenance/conversion-loop.ts';
import { TableStore } from '../storage/table-store.ts';
import { parseAuth, zkAuthOption } from './auth-config.ts';
import { ClusterConfigControl } from './cluster-config-control.ts';
import { clusterSettingsOf } from './cluster-settings.ts';
import type { ServerConfig } from './config.ts';
import { LiveConfig } from './live-config.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { migrateTableDirs } from './table-dir-migration.ts';
import { withMemberHealth } from './member-health.ts';
import { Operations } from './operations.ts';
import { raiseConnectionWindow, raiseStreamWindow } from './http2-tuning.ts';
import { limitConnections, transportOptions } from './limits.ts';
import { serverTls } from './tls.ts';

export class QuiverServer {
  private constructor(
    readonly port: number,
    readonly location: string,
    private readonly grpcServer: grpc.Server,
    private readonly coordinator: Coordinator,
    private readonly store: TableStore,
    private readonly unlock: () => Promise<void>,
    private readonly log: Logger,
    private readonly schedule: MaintenanceSchedule,
    private readonly sqlEngine: SqlEngine,
    private readonly ops: Operations,
    private readonly drainDelayMs: number,
    private readonly feed: FollowService,
  ) {}

  static async start(config: ServerConfig, log: Logger): Promise<QuiverServer> {
    const tls = serverTls(config);
    // --data s3://…: the bucket is opened (and its conditional puts checked) here; `data` is
    // then the local work root beside the disk cache (object-store/data-root.ts).
    const root = await openDataRoot(config.data, config);
    const data = root.local;
    fs.mkdirSync(data, { recursive: true });
    // Replicas of a cluster share the data root on purpose; ZooKeeper serializes their commits.
    // On a bucket each server has its own work root: the lock keeps a second one off it.
    const unlockDir = config.zk && !root.objects ? () => undefined : lockDataDir(data);
    const unlock = async () => {
      unlockDir();
      await root.close();
    };
    migrateTableDirs(data, log);
    let ready: { store: TableStore; coordinator: Coordinator; membership: ClusterMembership | null; maintenance: MaintenanceRunner } | null = null;
    let location = config.advertise ?? '';
    const ops = await Operations.create(config, log);
    const server = new grpc.Server({ ...transportOptions(config), interceptors: ops.interceptors });
    // Settings a cluster's config node may change while the server runs: everything below reads
    // them through `live` at the moment it needs them.
    const live = new LiveConfig(clusterSettingsOf(config), log, Boolean(config.zk));
    // Flight SQL's engine: embedded DuckDB, allowed to read the data root and nothing else.
    // The time limit and max queries are read per query: getters make them live cluster settings.
    const sqlEngine = await openDuckDbEngine({
      dataRoot: data,
      ...(config.sqlMemoryLimitBytes !== undefined ? { memoryLimitBytes: config.sqlMemoryLimitBytes } : {}),
      ...(config.sqlIpcCacheBytes !== undefined ? { ipcCacheBytes: config.sqlIpcCacheBytes } : {}),
      get timeLimitMs() {
        return live.settings.sqlTimeLimitMs;
      },
      get maxConcurrentQueries() {
        return live.settings.sqlMaxQueries;
      },
    });
    try {
      const ctx: FlightContext = {
        // A cluster replica binds its port before it knows its coordinator (its location names
        // the port); calls in that window are told to retry.
        get store(): TableStore {
          if (!ready) throw new QuiverError('UNAVAILABLE', 'the server is still starting; retry shortly');
          return ready.store;
        },
        auth: new Authenticator(parseAuth(config, data, log)),
        log,
        middleware: [requestIds],
        sessions: new SessionOptionsStore(withSqlSessionOptions(readSessionPolicy)),
        lookupIndexBytes: config.lookupIndexBytes,
        lookupObserver: ops.lookupObserver,
        locations: async () => (ready?.membership ? ready.membership.locations() : [location]),
        writeLeader: async () => (ready?.membership ? ready.membership.writeLeader() : null),
        clusterStatus: async () => withMemberHealth({
          ...(ready?.membership
            ? await ready.membership.report()
            : { mode: 'local' as const, self: { location }, isLeader: true, leader: { location }, members: [{ location }] }),
          config: live.report(),
        }, ops.health, tls.peer),
        peerCredentials: tls.peer,
        leases: new EndpointLeases(config.maxEndpointLeases),
        stallTimeoutMs: config.stallTimeoutMs,
        maxLookupAnswerRows: config.maxLookupAnswerRows,
        get retentionMs() {
          return live.settings.retentionMs;
        },
        get endpointBytes() {
          return live.settings.endpointBytes;
        },
        get readOnly() {
          return live.settings.readOnly;
        },
        get maxPutMessageBytes() {
          return live.settings.maxMessageBytes;
        },
        get maxBufferedBytes() {
          return live.settings.maxBufferedBytes;
        },
        clusterConfig: new ClusterConfigControl(live, () => ready?.coordinator.cluster ?? null),
        importDir: config.importDir ? path.resolve(config.importDir) : undefined,
        get maintenance(): MaintenanceRunner | undefined {
          return ready?.maintenance;
        },
      };
      raiseStreamWindow(server);
      const feed = new FollowService(ctx);
      server.addService(ops.instrument(flightService), flightHandlers(ctx, new FlightSqlService(ctx, sqlEngine), feed));
      ops.addServices(server);
      const port = await new Promise<number>((resolve, reject) => {
        server.bindAsync(`${config.host}:${config.port}`, tls.server, (err, p) => (err ? reject(err) : resolve(p)));
      });
      raiseConnectionWindow(server);
      limitConnections(server, config.maxConnections);
      if (!location) location = `${tls.scheme}://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`;
      const coordinator: Coordinator = config.zk
        ? await ZooKeeperCoordinator.start({
          connect: config.zk,
          cluster: config.cluster,
          self: { id: randomUUID(), location },
          sessionTimeoutMs: config.zkSessionTimeoutMs,
          log: (message, fields) => log.warn(`zookeeper: ${message}`, fields),
          ...zkAuthOption(config),
        })
        : root.objects
          ? new BucketCoordinator(root.objects.store, { log: (message, fields) => log.warn(message, fields) })
          : new LocalCoordinator(path.join(data, 'log'), { log: (message, fields) => log.warn(message, fields) });
      // Each write takes the staging settings in force when it begins.
      const store = new TableStore(data, coordinator, {
        get compression() {
          return live.settings.compression;
        },
        get rowGroupRows() {
          return live.settings.rowGroupRows;
        },
        get maxBufferedBytes() {
          return live.settings.maxBufferedBytes;
        },
        get landing() {
          return live.settings.landing;
        },
      }, {
        cacheBytes: config.cacheBytes,
        log,
        ...(root.objects ? { objectStore: root.objects } : {}),
        landing: {
          get maxTableLandedBytes() {
            return live.settings.maxTableLandedBytes;
          },
          get maxLandedBytes() {
            return live.settings.maxLandedBytes;
          },
          get landedWaitMs() {
            return live.settings.landedWaitMs;
          },
        },
      });
      const cluster = coordinator.cluster;
      const membership = cluster ? new ClusterMembership(cluster) : null;
      if (cluster) {
        cluster.onStatusChange((s) => log.info('cluster status', { leader: s.isLeader, session: s.session }));
        // Before the first call is served: a replica joining a read-only cluster never takes a write.
        await cluster.watchConfig((node) => {
          live.apply(node);
          ops.settingsChanged();
        });
      }
      const { maintenance, schedule } = startMaintenance(config, live, store, coordinator, ctx.leases, log);
      ready = { store, coordinator, membership, maintenance };
      await ops.ready({ data, coordinator, store, maintenance, readOnly: () => live.settings.readOnly, clusterStatus: () => ctx.clusterStatus(), feed: feed.hub.stats });
      log.info('serving', { data: root.location, port, location, transport: tls.mode, auth: ctx.auth.config.kind, coordinator: coordinator.kind, ...(config.zk ? { cluster: config.cluster } : {}) });
      return new QuiverServer(port, location, server, coordinator, store, unlock, log, schedule, sqlEngine, ops, config.drainDelayMs, feed);
    } catch (e) {
      server.forceShutdown();
      await sqlEngine.close();
      await ops.close();
      await unlock();
      throw e;
    }
  }

  /**
   * Reports NOT_SERVING (for the drain delay), then stops taking calls, waits up to `graceMs`
   * for calls in flight, and cuts the rest.
   */
  async shutdown(graceMs: number): Promise<void> {
    await this.ops.beginDrain(this.drainDelayMs);
    // Follow streams never end by themselves: end them now (each names its resume version)
    // rather than make the grace period wait for them.
    this.feed.close();
    const drained = new Promise<boolean>((resolve) => this.grpcServer.tryShutdown(() => resolve(true)));
    await this.ops.portClosed();
    const timedOut = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref());
    if (!(await Promise.race([drained, timedOut]))) {
      this.log.warn('calls still running after the shutdown grace period; cancelling them', { graceMs });
      this.grpcServer.forceShutdown();
    }
    await this.ops.close();
    await this.schedule.stop();
    await this.sqlEngine.close();
    await this.store.close();
    await this.coordinator.close();
    await this.unlock();
  }
}

/** The maintenance runner, and its periodic loop running while this process leads. */
function startMaintenance(config: ServerConfig, live: LiveConfig, store: TableStore, coordinator: Coordinator, leases: EndpointLeases, log: Logger): { maintenance: MaintenanceRunner; schedule: MaintenanceSchedule } {
  const maintenance = new MaintenanceRunner(store, {
    // The cluster config node can change retention at any time: read it at each run.
    get retentionMs() {
      return live.settings.retentionMs;
    },
    readOnly: () => live.settings.readOnly,
    gcGraceMs: config.gcGraceMs,
    compaction: { minSmallFiles: config.compactMinFiles, smallFileBytes: config.compactSmallFileBytes },
    conversion: { paused: () => live.settings.convertPaused, rateBytes: () => live.settings.convertRateBytes },
    heldUntil: (table, version) => leases.heldUntil(table, version),
  }, log);
  const schedule = new MaintenanceSchedule(maintenance, config.maintenanceIntervalMs, log);
  // Landed Arrow IPC files become Parquet soon after each commit, on the leader (conversion-loop.ts).
  const conversion = new ConversionLoop(maintenance, store.observers, () => live.settings.convertPaused || live.settings.readOnly, log);
  store.landed.hurry = (table) => conversion.wake(table);
  schedule.also(conversion);
  const cluster = coordinator.cluster;
  if (!cluster) {
    schedule.start();
  } else {
    const follow = (isLeader: boolean) => {
      if (isLeader) schedule.start();
      else void schedule.stop();
    };
    cluster.onStatusChange((s) => follow(s.isLeader && s.session === 'connected'));
    follow(cluster.status().isLeader);
  }
  return { maintenance, schedule };
}
