// HTTP/2 flow-control windows for the server side of grpc-js. Its default 64 KiB stream window
// caps a single DoPut stream at one window per round trip, the main throughput limit for bulk
// Arrow data (the size, and why it is that size: src/wire/channel-options.ts). grpc-js exposes the option only for clients ('grpc-node.flow_control_window'), so
// the server's HTTP/2 settings are set through the fields it builds its http2 servers from.
// Checked against @grpc/grpc-js 1.14; if those internals move, this fails loudly at start-up.
import type * as grpc from '@grpc/grpc-js';
import type * as http2 from 'node:http2';
import { FLOW_CONTROL_WINDOW } from '../wire/channel-options.ts';

interface GrpcServerInternals {
  commonServerOptions?: http2.ServerOptions;
  http2Servers?: Map<http2.Http2Server, unknown>;
}

/** Call before bindAsync: new streams start with a large window. */
export function raiseStreamWindow(server: grpc.Server, bytes = FLOW_CONTROL_WINDOW): void {
  const internals = server as unknown as GrpcServerInternals;
  if (!internals.commonServerOptions) throw new Error('grpc-js internals changed: cannot set the HTTP/2 stream window (see src/server/http2-tuning.ts)');
  internals.commonServerOptions.settings = { ...internals.commonServerOptions.settings, initialWindowSize: bytes };
}

/** Call after bindAsync: each new connection gets a large connection-level window too. */
export function raiseConnectionWindow(server: grpc.Server, bytes = FLOW_CONTROL_WINDOW): void {
  const internals = server as unknown as GrpcServerInternals;
  if (!internals.http2Servers) throw new Error('grpc-js internals changed: cannot set the HTTP/2 connection window (see src/server/http2-tuning.ts)');
  for (const h2 of internals.http2Servers.keys()) {
    h2.on('session', (session: http2.ServerHttp2Session) => {
      session.on('connect', () => session.setLocalWindowSize(bytes));
      if (!session.connecting) session.setLocalWindowSize(bytes);
    });
  }
}
