// location:reuse_connection: one endpoint whose only location is the URI that means "the
// connection this FlightInfo came on".
import { Schema } from 'apache-arrow';
import { unary } from '../../../src/flight/handler-kit.ts';
import type { FlightDescriptorIn, FlightInfo } from '../../../src/wire/protocol.ts';
import { flightInfoSchema } from './arrow-data.ts';
import type { Scenario } from './scenario.ts';

/** Format.rst "Connection Reuse": clients resolve it to the channel they already hold. */
export const REUSE_CONNECTION_URI = 'arrow-flight-reuse-connection://?';

export const locationReuseConnection: Scenario = {
  handlers: (kit) => ({
    GetFlightInfo: unary(kit, 'GetFlightInfo', async (d: FlightDescriptorIn): Promise<FlightInfo> => ({
      schema: flightInfoSchema(new Schema([])),
      flight_descriptor: d,
      endpoint: [{ ticket: { ticket: Buffer.from('reuse') }, location: [{ uri: REUSE_CONNECTION_URI }] }],
      total_records: -1,
      total_bytes: -1,
    })),
  }),
};
