// middleware: a call middleware that echoes the client's `x-middleware` header back as a
// response header. The handler kit delivers it on success and on failure alike.
import { QuiverError } from '../../../src/errors.ts';
import { unary } from '../../../src/flight/handler-kit.ts';
import type { FlightDescriptorIn, FlightInfo } from '../../../src/wire/protocol.ts';
import type { CallMiddleware } from '../../../src/flight/response-headers.ts';
import { Schema } from 'apache-arrow';
import { flightInfoSchema } from './arrow-data.ts';
import { commandOf, type Scenario } from './scenario.ts';

const echoHeader: CallMiddleware = {
  onCall({ metadata }, response) {
    const value = metadata.get('x-middleware')[0];
    response.set('x-middleware', typeof value === 'string' ? value : '');
  },
};

export const middleware: Scenario = {
  middleware: [echoHeader],
  handlers: (kit) => ({
    GetFlightInfo: unary(kit, 'GetFlightInfo', async (d: FlightDescriptorIn): Promise<FlightInfo> => {
      if (commandOf(d) !== 'success') throw new QuiverError('INVALID_ARGUMENT', 'only the command "success" succeeds in this scenario');
      return { schema: flightInfoSchema(new Schema([])), flight_descriptor: d, endpoint: [], total_records: -1, total_bytes: -1 };
    }),
  }),
};
