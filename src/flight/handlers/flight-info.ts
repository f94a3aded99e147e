// GetFlightInfo, PollFlightInfo, GetSchema and ListFlights: descriptions of stored tables.
import type * as grpc from '@grpc/grpc-js';
import { QuiverError } from '../../errors.ts';
import type { FlightContext } from '../context.ts';
import { readRequest, type ReadRequest } from '../descriptors.ts';
import { encodedServerStream, unary, type CallInfo } from '../handler-kit.ts';
import { readDefaults, type ReadDefaults } from '../read-session.ts';
import type { FlightSqlService } from '../../sql/flight-sql-service.ts';
import type { FollowService } from '../../feed/follow-service.ts';
import type { CriteriaIn, FlightDescriptorIn, FlightInfo, PollInfo, SchemaResult } from '../../wire/protocol.ts';
import { buildFlightInfo, encapsulatedSchema, encodedFlightInfo, encodedListing, planRead, projectSchema, projectedSchema } from '../read-plan.ts';

async function describe(ctx: FlightContext, descriptor: FlightDescriptorIn, info: CallInfo): Promise<FlightInfo> {
  const defaults = readDefaults(ctx.sessions, info.metadata);
  const plan = await planRead(ctx, await sessionRead(ctx, readRequest(descriptor), defaults), defaults.endpointBytes);
  return buildFlightInfo(ctx, plan, descriptor);
}

/** describe's answer, encoded once per version (src/flight/flight-info-cache.ts). */
async function describeEncoded(ctx: FlightContext, descriptor: FlightDescriptorIn, info: CallInfo): Promise<Buffer> {
  const defaults = readDefaults(ctx.sessions, info.metadata);
  return encodedFlightInfo(ctx, await sessionRead(ctx, readRequest(descriptor), defaults), descriptor, defaults.endpointBytes);
}

/** A read naming no version gets the session's quiver.as_of version, when it has one. */
async function sessionRead(ctx: FlightContext, req: ReadRequest, defaults: ReadDefaults): Promise<ReadRequest> {
  if (req.version !== undefined || defaults.asOf === undefined) return req;
  return { ...req, version: await ctx.store.versionAsOf(req.table, defaults.asOf) };
}

/** A FlightInfo, or its encoding (src/wire/protocol.ts sends a Buffer as it is). */
type FlightInfoOut = FlightInfo | Buffer;

export function getFlightInfo(ctx: FlightContext, sql?: FlightSqlService, feed?: FollowService): grpc.handleUnaryCall<FlightDescriptorIn, FlightInfoOut> {
  return unary(ctx, 'GetFlightInfo', (d: FlightDescriptorIn, info): Promise<FlightInfoOut> => {
    if (feed?.isFollow(d)) return feed.flightInfo(d); // a follow descriptor (src/feed)
    const command = sql?.command(d); // a Flight SQL command (src/sql)
    return command ? sql!.flightInfo(command, d, info) : describeEncoded(ctx, d, info);
  });
}

/**
 * Stored tables are complete at once: the first PollInfo is final (no descriptor to poll again).
 * A follow descriptor is a long poll for the table's next version (src/feed).
 */
export function pollFlightInfo(ctx: FlightContext, sql?: FlightSqlService, feed?: FollowService): grpc.handleUnaryCall<FlightDescriptorIn, PollInfo> {
  return unary(ctx, 'PollFlightInfo', async (d: FlightDescriptorIn, info) => {
    if (feed?.isFollow(d)) return feed.pollInfo(d, info);
    const command = sql?.command(d);
    return { info: await (command ? sql!.flightInfo(command, d, info) : describe(ctx, d, info)), progress: 1 };
  });
}

export function getSchema(ctx: FlightContext, sql?: FlightSqlService): grpc.handleUnaryCall<FlightDescriptorIn, SchemaResult> {
  return unary(ctx, 'GetSchema', async (d: FlightDescriptorIn, info) => {
    const command = sql?.command(d);
    if (command) return sql!.schema(command, info);
    const req = await sessionRead(ctx, readRequest(d), readDefaults(ctx.sessions, info.metadata));
    // The current schema comes from the catalog (in a cluster, ZooKeeper); a version's from its manifest.
    if (req.version === undefined) return { schema: encapsulatedSchema(projectSchema(req.table, await ctx.store.currentSchema(req.table), req.columns)) };
    const manifest = await ctx.store.snapshot(req.table, req.version);
    return { schema: encapsulatedSchema(projectedSchema(manifest, req.columns)) };
  });
}

export function listFlights(ctx: FlightContext): grpc.handleServerStreamingCall<CriteriaIn, Buffer> {
  return encodedServerStream(ctx, 'ListFlights', async (criteria: CriteriaIn) => {
    let prefix: string;
    try {
      prefix = new TextDecoder('utf-8', { fatal: true }).decode(criteria.expression);
    } catch {
      throw new QuiverError('INVALID_ARGUMENT', 'ListFlights criteria must be a UTF-8 table-name prefix (or empty for all tables)');
    }
    return encodedListing(ctx, await ctx.store.describeTables(prefix), prefix === '');
  });
}
