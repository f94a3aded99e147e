// poll_flight_info: a query that is in progress on the first poll (progress, an expiration time
// and the descriptor to poll next) and complete on the second (progress 1, neither of those).
import { Float64 } from 'apache-arrow';
import { unary } from '../../../src/flight/handler-kit.ts';
import type { FlightDescriptorIn, FlightInfo, PollInfo } from '../../../src/wire/protocol.ts';
import { toTimestamp } from '../../../src/flight/read-plan.ts';
import { flightInfoSchema, oneColumnSchema } from './arrow-data.ts';
import { commandOf, type Scenario } from './scenario.ts';

const NEXT = { type: 'CMD' as const, cmd: Buffer.from('poll'), path: [] };

function info(d: FlightDescriptorIn): FlightInfo {
  return {
    schema: flightInfoSchema(oneColumnSchema('number', new Float64())),
    flight_descriptor: d,
    endpoint: [],
    total_records: -1,
    total_bytes: -1,
  };
}

export const pollFlightInfo: Scenario = {
  handlers: (kit) => ({
    PollFlightInfo: unary(kit, 'PollFlightInfo', async (d: FlightDescriptorIn): Promise<PollInfo> => {
      if (commandOf(d) === 'poll') return { info: info(d), progress: 1 };
      return { info: info(d), flight_descriptor: NEXT, progress: 0.1, expiration_time: toTimestamp(Date.now() + 10_000) };
    }),
  }),
};
