// expiration_time:*: three endpoints, the first without an expiration time and the others
// expiring 5 and 6 s after they are issued; CancelFlightInfo and RenewFlightEndpoint as the
// standard actions (protobuf bodies), with cancellation and renewal kept by quiver's
// EndpointLeases, the same bookkeeping the real server's DoGet consults.
import { Uint32 } from 'apache-arrow';
import { QuiverError, invalidArgument } from '../../../src/errors.ts';
import { EndpointLeases } from '../../../src/flight/endpoint-leases.ts';
import { serverStream, unary } from '../../../src/flight/handler-kit.ts';
import {
  decodeMessage, encodeMessage, type ActionIn, type FlightDescriptorIn, type FlightEndpoint, type FlightInfo, type TicketIn,
} from '../../../src/wire/protocol.ts';
import { fromTimestamp, toTimestamp } from '../../../src/flight/read-plan.ts';
import { batchOf, flightDataOf, flightInfoSchema, oneColumnSchema } from './arrow-data.ts';
import type { Scenario } from './scenario.ts';

const schema = oneColumnSchema('number', new Uint32());
/** How long after issue endpoints 1 and 2 expire (endpoint 0 never does). */
const LIFETIMES: (number | null)[] = [null, 5_000, 6_000];
const RENEWAL_MS = 10_000;

class ExpiringEndpoints {
  private readonly leases = new EndpointLeases();
  /** Expiry of each issued ticket; null: it does not expire. */
  private readonly issued = new Map<string, number | null>();
  private serial = 0;

  info(descriptor: FlightDescriptorIn): FlightInfo {
    const now = Date.now();
    const flight = this.serial++;
    const endpoint: FlightEndpoint[] = LIFETIMES.map((lifetime, i) => {
      // "<index>: ..." lets DoGet find the value to send; the serial keeps each FlightInfo's
      // tickets distinct, so cancelling one FlightInfo does not cancel the next.
      const ticket = Buffer.from(`${i}: flight ${flight}`);
      const expires = lifetime === null ? null : now + lifetime;
      this.issued.set(ticket.toString('base64'), expires);
      return { ticket: { ticket }, location: [], ...(expires === null ? {} : { expiration_time: toTimestamp(expires) }) };
    });
    return { schema: flightInfoSchema(schema), flight_descriptor: descriptor, endpoint, total_records: 3, total_bytes: -1 };
  }

  read(ticket: Uint8Array) {
    const key = Buffer.from(ticket).toString('base64');
    if (!this.issued.has(key)) throw new QuiverError('NOT_FOUND', 'unknown ticket: call GetFlightInfo');
    if (this.leases.isCancelled(key)) throw new QuiverError('CANCELLED', 'this ticket\'s FlightInfo was cancelled');
    const expires = this.expiry(key);
    if (expires !== null && expires < Date.now()) throw new QuiverError('NOT_FOUND', 'this endpoint has expired; call GetFlightInfo again');
    const index = Number(Buffer.from(ticket).toString('utf8').split(':')[0]);
    return flightDataOf(schema, [batchOf(schema, Uint32Array.of(index))]);
  }

  cancel(body: Uint8Array): Buffer {
    const req = decodeMessage<{ info: FlightInfo | null }>('CancelFlightInfoRequest', body);
    const endpoints = req.info?.endpoint ?? [];
    if (endpoints.length === 0) throw invalidArgument('CancelFlightInfoRequest has no FlightInfo endpoints to cancel');
    for (const e of endpoints) this.leases.cancel(Buffer.from(e.ticket?.ticket as Uint8Array ?? []).toString('base64'), Date.now() + RENEWAL_MS);
    return encodeMessage('CancelFlightInfoResult', { status: 'CANCEL_STATUS_CANCELLED' });
  }

  renew(body: Uint8Array): Buffer {
    const { endpoint } = decodeMessage<{ endpoint: FlightEndpoint | null }>('RenewFlightEndpointRequest', body);
    const key = Buffer.from(endpoint?.ticket?.ticket as Uint8Array ?? []).toString('base64');
    if (!endpoint || !this.issued.has(key)) throw invalidArgument('RenewFlightEndpointRequest needs an endpoint from GetFlightInfo');
    if (this.expiry(key) === null) throw invalidArgument('this endpoint does not expire; there is nothing to renew');
    const previous = fromTimestamp(endpoint.expiration_time) ?? 0;
    const until = this.leases.renew(key, Math.max(Date.now(), previous) + RENEWAL_MS);
    return encodeMessage('FlightEndpoint', { ...endpoint, expiration_time: toTimestamp(until) });
  }

  private expiry(key: string): number | null {
    const issued = this.issued.get(key) ?? null;
    return issued === null ? null : this.leases.expiration(key, null, 0, issued);
  }
}

const ACTIONS = {
  CancelFlightInfo: 'Cancel a FlightInfo: its endpoints\' tickets are refused afterwards. Body: CancelFlightInfoRequest. Result: CancelFlightInfoResult.',
  RenewFlightEndpoint: 'Extend an endpoint\'s expiration time. Body: RenewFlightEndpointRequest. Result: FlightEndpoint.',
};

export const expirationTime: Scenario = {
  handlers: (kit) => {
    const endpoints = new ExpiringEndpoints();
    return {
      GetFlightInfo: unary(kit, 'GetFlightInfo', async (d: FlightDescriptorIn) => endpoints.info(d)),
      DoGet: serverStream(kit, 'DoGet', async function* (req: TicketIn) {
        yield* endpoints.read(req.ticket);
      }),
      DoAction: serverStream(kit, 'DoAction', async function* (action: ActionIn) {
        if (action.type === 'CancelFlightInfo') yield { body: endpoints.cancel(action.body) };
        else if (action.type === 'RenewFlightEndpoint') yield { body: endpoints.renew(action.body) };
        else throw invalidArgument(`unknown action ${JSON.stringify(action.type)}; this server has ${Object.keys(ACTIONS).join(', ')}`);
      }),
      ListActions: serverStream(kit, 'ListActions', async function* () {
        for (const [type, description] of Object.entries(ACTIONS)) yield { type, description };
      }),
    };
  },
};
