// Assembly: storage + coordinator + Flight handlers on a grpc-js server, and its lifecycle.
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { LocalCoordinator } from '../coord/local-coordinator.ts';
import type { Coordinator } from '../coord/coordinator.ts';
import { Authenticator } from '../flight/auth.ts';
import type { FlightContext, Logger } from '../flight/context.ts';
import { EndpointLeases } from '../flight/endpoint-leases.ts';
import { flightHandlers, flightService } from '../flight/flight-service.ts';
import { TableStore } from '../storage/table-store.ts';
import { parseAuth } from './auth-config.ts';
import type { ServerConfig } from './config.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { raiseConnectionWindow, raiseStreamWindow } from './http2-tuning.ts';

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
    const data = path.resolve(config.data);
    fs.mkdirSync(data, { recursive: true });
    const unlock = lockDataDir(data);
    try {
      const coordinator = new LocalCoordinator(path.join(data, 'log'));
      const store = new TableStore(data, coordinator, {
        compression: config.compression,
        rowGroupRows: config.rowGroupRows,
        maxBufferedBytes: config.maxBufferedBytes,
      }, { cacheBytes: config.cacheBytes });
      let location = config.advertise ?? '';
      const ctx: FlightContext = {
        store,
        auth: new Authenticator(parseAuth(config.auth)),
        log,
        locations: () => [location],
        leases: new EndpointLeases(),
        retentionMs: config.retentionMs,
        endpointBytes: config.endpointBytes,
        importDir: config.importDir ? path.resolve(config.importDir) : undefined,
      };
      const server = new grpc.Server({
        'grpc.max_receive_message_length': config.maxMessageBytes,
        'grpc.max_send_message_length': config.maxMessageBytes,
      });
      raiseStreamWindow(server);
      server.addService(flightService, flightHandlers(ctx));
      const port = await new Promise<number>((resolve, reject) => {
        server.bindAsync(`${config.host}:${config.port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
      });
      raiseConnectionWindow(server);
      if (!location) location = `grpc+tcp://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`;
      log.info('serving', { data, port, location, auth: ctx.auth.config.kind, coordinator: coordinator.kind });
      return new QuiverServer(port, location, server, coordinator, store, unlock, log);
    } catch (e) {
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
