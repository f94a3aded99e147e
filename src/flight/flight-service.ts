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

export function flightHandlers(ctx: FlightContext): grpc.UntypedServiceImplementation {
  return {
    Handshake: handshake(ctx),
    ListFlights: listFlights(ctx),
    GetFlightInfo: getFlightInfo(ctx),
    PollFlightInfo: pollFlightInfo(ctx),
    GetSchema: getSchema(ctx),
    DoGet: doGet(ctx),
    DoPut: doPut(ctx),
    DoExchange: doExchange(ctx),
    DoAction: doAction(ctx),
    ListActions: listActions(ctx),
  } as grpc.UntypedServiceImplementation;
}

export { flightService };
