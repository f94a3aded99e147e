// Methods a scenario does not answer still pass through the handler kit, so that middleware
// and authentication apply to them as to any other call: a client without credentials learns
// UNAUTHENTICATED from any method (Arrow Java's auth:basic_proto client probes ListActions),
// not the UNIMPLEMENTED that grpc-js would answer on its own before any check.
import type * as grpc from '@grpc/grpc-js';
import { QuiverError } from '../../../src/errors.ts';
import { bidiStream, serverStream, unary, type KitContext } from '../../../src/flight/handler-kit.ts';
import type { FlightMethod } from './scenario.ts';

const KINDS: Record<FlightMethod, 'unary' | 'server' | 'bidi'> = {
  Handshake: 'bidi',
  ListFlights: 'server',
  GetFlightInfo: 'unary',
  PollFlightInfo: 'unary',
  GetSchema: 'unary',
  DoGet: 'server',
  DoPut: 'bidi',
  DoExchange: 'bidi',
  DoAction: 'server',
  ListActions: 'server',
};

export function withUnimplemented(kit: KitContext, scenario: string, handlers: Partial<Record<FlightMethod, grpc.UntypedHandleCall>>): grpc.UntypedServiceImplementation {
  const out: grpc.UntypedServiceImplementation = {};
  for (const [method, kind] of Object.entries(KINDS) as [FlightMethod, (typeof KINDS)[FlightMethod]][]) {
    const given = handlers[method];
    if (given) {
      out[method] = given;
      continue;
    }
    const refuse = () => new QuiverError('UNIMPLEMENTED', `${method} is not part of the ${scenario} scenario`);
    out[method] = kind === 'unary'
      ? unary(kit, method, async () => { throw refuse(); })
      : kind === 'server'
        ? serverStream(kit, method, async function* () { throw refuse(); })
        : bidiStream(kit, method, async () => { throw refuse(); });
  }
  return out;
}
