// The standard grpc.health.v1 service (grpc-health-check), fed by what actually stops this
// replica from doing its job, so that load balancers and orchestrators route around it.
//
// Service names and what makes each NOT_SERVING:
//   ""                                   (the whole server) and
//   "arrow.flight.protocol.FlightService" starting, draining (SIGTERM), ZooKeeper session not
//                                        connected (cluster mode), data root not writable
//   "quiver.Writes"                      all of the above, and read-only in force (--read-only or
//                                        the cluster's config node): reads go on, writes do not
// Check answers at once; Watch sends the status now and again on every change.
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation, service as healthService, type ServingStatus } from 'grpc-health-check';

export const HEALTH_OVERALL = '';
export const HEALTH_FLIGHT = 'arrow.flight.protocol.FlightService';
export const HEALTH_WRITES = 'quiver.Writes';

/** Something that keeps this replica from serving; each is set and cleared independently. */
export type HealthProblem = 'starting' | 'draining' | 'zookeeper-session' | 'data-root-unwritable' | 'read-only';

/** Problems that stop writes only; every other problem stops the whole server. */
const WRITES_ONLY: ReadonlySet<HealthProblem> = new Set(['read-only']);

export interface HealthReport {
  status: ServingStatus;
  writes: ServingStatus;
  problems: HealthProblem[];
}

export type HealthListener = (report: HealthReport) => void;

export class ServerHealth {
  private readonly problems = new Set<HealthProblem>(['starting']);
  private readonly impl: HealthImplementation;
  private readonly watches = new Set<grpc.ServerWritableStream<unknown, unknown>>();
  private readonly listeners = new Set<HealthListener>();
  private last: HealthReport;

  constructor() {
    this.last = this.compute();
    this.impl = new HealthImplementation({
      [HEALTH_OVERALL]: this.last.status,
      [HEALTH_FLIGHT]: this.last.status,
      [HEALTH_WRITES]: this.last.writes,
    });
  }

  /** Records whether `problem` holds now; Watch streams hear of it only when a status changes. */
  set(problem: HealthProblem, present: boolean): void {
    if (present === this.problems.has(problem)) return;
    if (present) this.problems.add(problem);
    else this.problems.delete(problem);
    const next = this.compute();
    const prev = this.last;
    this.last = next;
    // The library notifies watchers on every setStatus, changed or not: call it only on change.
    if (next.status !== prev.status) {
      this.impl.setStatus(HEALTH_OVERALL, next.status);
      this.impl.setStatus(HEALTH_FLIGHT, next.status);
    }
    if (next.writes !== prev.writes) this.impl.setStatus(HEALTH_WRITES, next.writes);
    for (const l of this.listeners) l(next);
  }

  report(): HealthReport {
    return { ...this.last, problems: [...this.last.problems] };
  }

  /** Called on every change of the problem set; returns an unsubscribe function. */
  onChange(listener: HealthListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  addToServer(server: grpc.Server): void {
    // Watch streams never end by themselves, and a graceful shutdown waits for every call: keep
    // hold of them so that drain can end them once they have been told NOT_SERVING.
    this.impl.addToServer({
      addService: (definition, implementation) => {
        const watch = implementation.watch as (call: grpc.ServerWritableStream<unknown, unknown>) => void;
        server.addService(definition as unknown as grpc.ServiceDefinition, {
          ...implementation,
          watch: (call: grpc.ServerWritableStream<unknown, unknown>) => {
            this.watches.add(call);
            call.on('cancelled', () => this.watches.delete(call));
            call.on('finish', () => this.watches.delete(call));
            watch(call);
          },
        } as grpc.UntypedServiceImplementation);
      },
    });
  }

  /** Ends every open Watch stream with OK (clients reconnect and ask again, elsewhere). */
  endWatches(): void {
    for (const call of this.watches) call.end();
    this.watches.clear();
  }

  private compute(): HealthReport {
    const problems = [...this.problems];
    const stopsAll = problems.some((p) => !WRITES_ONLY.has(p));
    return {
      status: stopsAll ? 'NOT_SERVING' : 'SERVING',
      writes: problems.length > 0 ? 'NOT_SERVING' : 'SERVING',
      problems,
    };
  }
}

export { healthService };
