// Assembly: storage + coordinator + Flight handlers on a grpc-js server, and its lifecycle.
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { LocalCoordinator } from '../coord/local-coordinator.ts';
import { ZooKeeperCoordinator } from '../coord/zookeeper/zookeeper-coordinator.ts';
import { QuiverError } from '../errors.ts';
import { ClusterMembership } from './cluster-membership.ts';
import { isClusterCoordinator, type Coordinator } from '../coord/coordinator.ts';
import { Authenticator } from '../flight/auth.ts';
import type { FlightContext, Logger } from '../flight/context.ts';
import { EndpointLeases } from '../flight/endpoint-leases.ts';
import { flightHandlers, flightService } from '../flight/flight-service.ts';
import { TableStore } from '../storage/table-store.ts';
import { parseAuth } from './auth-config.ts';
import type { ServerConfig } from './config.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { raiseConnectionWindow, raiseStreamWindow } from './http2-tuning.ts';
import { serverTls } from './tls.ts';

export class QuiverServer {
  private constructor(
    readonly port: number,
    readonly location: string,
    private readonly grpcServer: grpc.Server,
    private readonly coordinator: Coordinator,
    private readonly store: TableStore,
    private readonly unlock: () => void,
    private readonly log: Logger,
  ) {}

  static async start(config: ServerConfig, log: Logger): Promise<QuiverServer> {
    const tls = serverTls(config);
    const data = path.resolve(config.data);
    fs.mkdirSync(data, { recursive: true });
    // Replicas of a cluster share the data root on purpose; ZooKeeper serializes their commits.
    const unlock = config.zk ? () => undefined : lockDataDir(data);
    let ready: { store: TableStore; coordinator: Coordinator; membership: ClusterMembership | null } | null = null;
    let location = config.advertise ?? '';
    const server = new grpc.Server({
      'grpc.max_receive_message_length': config.maxMessageBytes,
      'grpc.max_send_message_length': config.maxMessageBytes,
    });
    try {
      const ctx: FlightContext = {
        // A cluster replica binds its port before it knows its coordinator (its location names
        // the port); calls in that window are told to retry.
        get store(): TableStore {
          if (!ready) throw new QuiverError('UNAVAILABLE', 'the server is still starting; retry shortly');
          return ready.store;
        },
        auth: new Authenticator(parseAuth(config.auth)),
        log,
        locations: async () => (ready?.membership ? ready.membership.locations() : [location]),
        writeLeader: async () => (ready?.membership ? ready.membership.writeLeader() : null),
        clusterStatus: async () => (ready?.membership
          ? ready.membership.report()
          : { mode: 'local', self: { location }, isLeader: true, leader: { location }, members: [{ location }] }),
        peerCredentials: tls.peer,
        leases: new EndpointLeases(),
        retentionMs: config.retentionMs,
        endpointBytes: config.endpointBytes,
        importDir: config.importDir ? path.resolve(config.importDir) : undefined,
      };
      raiseStreamWindow(server);
      server.addService(flightService, flightHandlers(ctx));
      const port = await new Promise<number>((resolve, reject) => {
        server.bindAsync(`${config.host}:${config.port}`, tls.server, (err, p) => (err ? reject(err) : resolve(p)));
      });
      raiseConnectionWindow(server);
      if (!location) location = `${tls.scheme}://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`;
      const coordinator: Coordinator = config.zk
        ? await ZooKeeperCoordinator.start({
          connect: config.zk,
          cluster: config.cluster,
          self: { id: randomUUID(), location },
          sessionTimeoutMs: config.zkSessionTimeoutMs,
          log: (message, fields) => log.warn(`zookeeper: ${message}`, fields),
        })
        : new LocalCoordinator(path.join(data, 'log'));
      const store = new TableStore(data, coordinator, {
        compression: config.compression,
        rowGroupRows: config.rowGroupRows,
        maxBufferedBytes: config.maxBufferedBytes,
      }, { cacheBytes: config.cacheBytes });
      const membership = isClusterCoordinator(coordinator) ? new ClusterMembership(coordinator) : null;
      if (membership && isClusterCoordinator(coordinator)) {
        coordinator.onStatusChange((s) => log.info('cluster status', { leader: s.isLeader, session: s.session }));
      }
      ready = { store, coordinator, membership };
      log.info('serving', { data, port, location, transport: tls.mode, auth: ctx.auth.config.kind, coordinator: coordinator.kind, ...(config.zk ? { cluster: config.cluster } : {}) });
      return new QuiverServer(port, location, server, coordinator, store, unlock, log);
    } catch (e) {
      server.forceShutdown();
      unlock();
      throw e;
    }
  }

  /** Stops taking calls, waits up to `graceMs` for calls in flight, then cuts the rest. */
  async shutdown(graceMs: number): Promise<void> {
    const drained = new Promise<boolean>((resolve) => this.grpcServer.tryShutdown(() => resolve(true)));
    const timedOut = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref());
    if (!(await Promise.race([drained, timedOut]))) {
      this.log.warn('calls still running after the shutdown grace period; cancelling them', { graceMs });
      this.grpcServer.forceShutdown();
    }
    await this.store.close();
    await this.coordinator.close();
    this.unlock();
  }
}
