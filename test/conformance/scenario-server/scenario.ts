// What one integration scenario contributes to the scenario server: the Flight methods it
// answers (built with quiver's handler kit) and, optionally, call middleware and an
// authentication policy. Methods a scenario leaves out answer UNIMPLEMENTED (grpc-js default).
import type * as grpc from '@grpc/grpc-js';
import type { AuthConfig } from '../../../src/flight/auth.ts';
import type { KitContext } from '../../../src/flight/handler-kit.ts';
import type { CallMiddleware } from '../../../src/flight/response-headers.ts';

export interface Scenario {
  /** Defaults to no authentication. */
  auth?: AuthConfig;
  middleware?: CallMiddleware[];
  handlers(kit: KitContext): Partial<Record<FlightMethod, grpc.UntypedHandleCall>>;
}

export type FlightMethod =
  | 'Handshake' | 'ListFlights' | 'GetFlightInfo' | 'PollFlightInfo' | 'GetSchema'
  | 'DoGet' | 'DoPut' | 'DoExchange' | 'DoAction' | 'ListActions';

/** The command bytes of a CMD descriptor, as text (scenario clients send ASCII commands). */
export function commandOf(descriptor: { type?: string; cmd?: Uint8Array | null }): string | null {
  return descriptor.type === 'CMD' ? Buffer.from(descriptor.cmd ?? []).toString('utf8') : null;
}
