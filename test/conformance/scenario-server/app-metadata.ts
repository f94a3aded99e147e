// app_metadata_flight_info_endpoint: the command comes back as FlightInfo.app_metadata and as
// the app_metadata of its one endpoint.
import { Schema } from 'apache-arrow';
import { invalidArgument } from '../../../src/errors.ts';
import { unary } from '../../../src/flight/handler-kit.ts';
import type { FlightDescriptorIn, FlightInfo } from '../../../src/wire/protocol.ts';
import { flightInfoSchema } from './arrow-data.ts';
import { commandOf, type Scenario } from './scenario.ts';

export const appMetadataFlightInfoEndpoint: Scenario = {
  handlers: (kit) => ({
    GetFlightInfo: unary(kit, 'GetFlightInfo', async (d: FlightDescriptorIn): Promise<FlightInfo> => {
      if (commandOf(d) === null) throw invalidArgument('this scenario takes a CMD descriptor');
      const metadata = Buffer.from(d.cmd);
      return {
        schema: flightInfoSchema(new Schema([])),
        flight_descriptor: d,
        endpoint: [{ ticket: { ticket: metadata }, location: [], app_metadata: metadata }],
        total_records: -1,
        total_bytes: -1,
        app_metadata: metadata,
      };
    }),
  }),
};
