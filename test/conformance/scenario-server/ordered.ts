// ordered: a FlightInfo whose three endpoints must be read in order, on this connection (no
// locations), each one batch of `number: int32 not null`.
import { Int32 } from 'apache-arrow';
import { QuiverError } from '../../../src/errors.ts';
import { serverStream, unary } from '../../../src/flight/handler-kit.ts';
import type { FlightDescriptorIn, FlightInfo, TicketIn } from '../../../src/wire/protocol.ts';
import { batchOf, flightDataOf, flightInfoSchema, oneColumnSchema } from './arrow-data.ts';
import type { Scenario } from './scenario.ts';

const schema = oneColumnSchema('number', new Int32());
const DATA: Record<string, number[]> = { '1': [1, 2, 3], '2': [10, 20, 30], '3': [100, 200, 300] };

export const ordered: Scenario = {
  handlers: (kit) => ({
    GetFlightInfo: unary(kit, 'GetFlightInfo', async (d: FlightDescriptorIn): Promise<FlightInfo> => ({
      schema: flightInfoSchema(schema),
      flight_descriptor: d,
      endpoint: Object.keys(DATA).map((t) => ({ ticket: { ticket: Buffer.from(t) }, location: [] })),
      total_records: 9,
      total_bytes: -1,
      ordered: true,
    })),
    DoGet: serverStream(kit, 'DoGet', async function* (req: TicketIn) {
      const values = DATA[Buffer.from(req.ticket).toString('utf8')];
      if (!values) throw new QuiverError('NOT_FOUND', 'unknown ticket: tickets are "1", "2" and "3"');
      yield* flightDataOf(schema, [batchOf(schema, Int32Array.from(values))]);
    }),
  }),
};
