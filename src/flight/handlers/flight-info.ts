// GetFlightInfo, PollFlightInfo, GetSchema and ListFlights: descriptions of stored tables.
import type * as grpc from '@grpc/grpc-js';
import { QuiverError } from '../../errors.ts';
import type { FlightContext } from '../context.ts';
import { readRequest } from '../descriptors.ts';
import { serverStream, unary } from '../handler-kit.ts';
import type { CriteriaIn, FlightDescriptorIn, FlightInfo, PollInfo, SchemaResult } from '../protocol.ts';
import { buildFlightInfo, encapsulatedSchema, planRead, projectedSchema } from '../read-plan.ts';

async function describe(ctx: FlightContext, descriptor: FlightDescriptorIn): Promise<FlightInfo> {
  const plan = await planRead(ctx, readRequest(descriptor));
  return buildFlightInfo(ctx, plan, descriptor);
}

export function getFlightInfo(ctx: FlightContext): grpc.handleUnaryCall<FlightDescriptorIn, FlightInfo> {
  return unary(ctx, 'GetFlightInfo', (d: FlightDescriptorIn) => describe(ctx, d));
}

/** Stored tables are complete at once: the first PollInfo is final (no descriptor to poll again). */
export function pollFlightInfo(ctx: FlightContext): grpc.handleUnaryCall<FlightDescriptorIn, PollInfo> {
  return unary(ctx, 'PollFlightInfo', async (d: FlightDescriptorIn) => ({ info: await describe(ctx, d), progress: 1 }));
}

export function getSchema(ctx: FlightContext): grpc.handleUnaryCall<FlightDescriptorIn, SchemaResult> {
  return unary(ctx, 'GetSchema', async (d: FlightDescriptorIn) => {
    const req = readRequest(d);
    const manifest = await ctx.store.snapshot(req.table, req.version);
    return { schema: encapsulatedSchema(projectedSchema(manifest, req.columns)) };
  });
}

export function listFlights(ctx: FlightContext): grpc.handleServerStreamingCall<CriteriaIn, FlightInfo> {
  return serverStream(ctx, 'ListFlights', async function* (criteria: CriteriaIn) {
    let prefix: string;
    try {
      prefix = new TextDecoder('utf-8', { fatal: true }).decode(criteria.expression);
    } catch {
      throw new QuiverError('INVALID_ARGUMENT', 'ListFlights criteria must be a UTF-8 table-name prefix (or empty for all tables)');
    }
    for (const manifest of await ctx.store.list(prefix)) {
      const path = manifest.table.split('/');
      const descriptor = { type: 'PATH' as const, path };
      try {
        yield await buildFlightInfo(ctx, await planRead(ctx, { table: manifest.table }), descriptor);
      } catch (e) {
        if (!(e instanceof QuiverError && e.code === 'NOT_FOUND')) throw e;
      }
    }
  });
}
