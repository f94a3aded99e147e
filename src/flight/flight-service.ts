// The handler table for FlightService, built from a context.
import * as grpc from '@grpc/grpc-js';
import type { FlightContext } from './context.ts';
import { doAction, listActions } from './handlers/actions.ts';
import { doExchange } from './handlers/do-exchange.ts';
import { doGet } from './handlers/do-get.ts';
import { doPut } from './handlers/do-put.ts';
import { getFlightInfo, getSchema, listFlights, pollFlightInfo } from './handlers/flight-info.ts';
import { handshake } from './handlers/handshake.ts';
import { flightService } from '../wire/protocol.ts';
import type { FlightSqlService } from '../sql/flight-sql-service.ts';
import type { FollowService } from '../feed/follow-service.ts';

/**
 * `sql`: Flight SQL (src/sql), which the handlers hand its commands, tickets and actions;
 * `feed`: the change feed (src/feed), which they hand follow descriptors and tickets.
 */
export function flightHandlers(ctx: FlightContext, sql?: FlightSqlService, feed?: FollowService): grpc.UntypedServiceImplementation {
  return {
    Handshake: handshake(ctx),
    ListFlights: listFlights(ctx),
    GetFlightInfo: getFlightInfo(ctx, sql, feed),
    PollFlightInfo: pollFlightInfo(ctx, sql, feed),
    GetSchema: getSchema(ctx, sql),
    DoGet: doGet(ctx, sql, feed),
    DoPut: doPut(ctx, sql),
    DoExchange: doExchange(ctx),
    DoAction: doAction(ctx, sql),
    ListActions: listActions(ctx, sql),
  } as grpc.UntypedServiceImplementation;
}

export { flightService };
