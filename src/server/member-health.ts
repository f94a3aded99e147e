// Per-replica health for the cluster-status action (`quiver cluster`): this replica's own
// report, and each other member asked with a standard grpc.health.v1 Check (short deadline), so
// that an operator sees from any replica which members a load balancer would skip.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath } from 'grpc-health-check';
import type { ClusterReport } from '../flight/context.ts';
import { parseLocation } from '../wire/location.ts';
import type { ServerHealth } from './health.ts';

const CHECK_DEADLINE_MS = 1500;

// Loaded on first use: most processes never ask another replica.
let Health: grpc.ServiceClientConstructor | null = null;
function healthClient(): grpc.ServiceClientConstructor {
  Health ??= (grpc.loadPackageDefinition(protoLoader.loadSync(protoPath, { keepCase: true, enums: String, defaults: true })) as unknown as {
    grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
  }).grpc.health.v1.Health;
  return Health;
}

/** SERVING, NOT_SERVING, or UNREACHABLE when the member did not answer in time. */
export async function checkMember(location: string, credentials: () => grpc.ChannelCredentials): Promise<string> {
  let client: grpc.Client | null = null;
  try {
    const Client = healthClient();
    client = new Client(parseLocation(location).address, credentials());
    const check = (client as unknown as { check: Function }).check.bind(client);
    return await new Promise<string>((resolve) => {
      check({ service: '' }, { deadline: Date.now() + CHECK_DEADLINE_MS }, (err: grpc.ServiceError | null, res: { status: string }) => resolve(err ? 'UNREACHABLE' : res.status));
    });
  } catch {
    return 'UNREACHABLE';
  } finally {
    client?.close();
  }
}

/** The report with `health` on it and on each member. */
export async function withMemberHealth(report: ClusterReport, self: ServerHealth, credentials: () => grpc.ChannelCredentials): Promise<ClusterReport> {
  const own = self.report();
  const members = await Promise.all(report.members.map(async (m) => ({
    ...m,
    health: m.location === report.self.location ? own.status : await checkMember(m.location, credentials),
  })));
  return { ...report, health: own, members };
}
