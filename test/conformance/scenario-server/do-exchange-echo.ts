// do_exchange:echo: every message the client sends on a DoExchange with CMD "echo" comes back
// as soon as it arrives: the schema, each record batch (and dictionary batch) with its
// app_metadata when it had one and without when it had none, and metadata-only messages. The
// client works in lockstep (it waits for each echo before writing the next batch), so nothing
// may be held back until the end of the stream. Other commands are UNIMPLEMENTED, as in the
// reference servers.
import type * as grpc from '@grpc/grpc-js';
import { QuiverError } from '../../../src/errors.ts';
import type { FlightDataMessage } from '../../../src/wire/flight-data.ts';
import { bidiStream, waitForDrain } from '../../../src/flight/handler-kit.ts';
import type { Scenario } from './scenario.ts';

type ExchangeCall = grpc.ServerDuplexStream<FlightDataMessage, FlightDataMessage>;

export const doExchangeEcho: Scenario = {
  handlers: (kit) => ({
    DoExchange: bidiStream(kit, 'DoExchange', async (call: ExchangeCall, info) => {
      let first = true;
      // Not `for await (... of call)`: finishing that loop destroys the stream, and the status
      // that call.end() sends afterwards would never leave.
      for await (const message of call.iterator({ destroyOnReturn: false }) as AsyncIterable<FlightDataMessage>) {
        if (first) {
          first = false;
          const d = message.descriptor;
          const command = d?.type === 'CMD' ? Buffer.from(d.cmd).toString('utf8') : null;
          if (command !== 'echo') {
            throw new QuiverError('UNIMPLEMENTED', `DoExchange in this scenario takes the CMD descriptor "echo" on its first message, got ${JSON.stringify(d ?? null)}`);
          }
        }
        // An empty message (a descriptor alone) carries nothing to echo.
        if (message.header.byteLength === 0 && !message.appMetadata) continue;
        const echo: FlightDataMessage = { header: message.header, body: message.body };
        if (message.appMetadata) echo.appMetadata = message.appMetadata;
        info.response.send(call);
        if (!call.write(echo)) await waitForDrain(call, info.signal);
      }
      call.end();
    }),
  }),
};
