// The transport's resource limits, in one place: what grpc-js and Node's HTTP/2 server are told
// so that no client, authenticated or not, can make the server hold unbounded memory or
// connections. What each bounds and why (docs/limits.md):
//
// - grpc-js checks 'grpc.max_receive_message_length' on the length prefix of each message before
//   buffering it, and again while it inflates a grpc-encoding gzip/deflate message (it stops
//   the inflater once the output passes the limit), all before the method's handler runs, so
//   before authentication. grpc-js reads a call's messages one at a time as the handler asks,
//   and quiver's handlers authenticate before they ask for a second: an unauthenticated caller
//   gets at most one bounded message buffered per call, plus what HTTP/2 flow control lets it
//   have in flight (one stream window, src/wire/channel-options.ts).
// - Sends stay unlimited: what DoGet sends was accepted once, and the client has its own limit.
// - grpc-js has no connection limit; Node's net.Server has one (maxConnections: a connection
//   over it is destroyed as it is accepted). Checked against @grpc/grpc-js 1.14's internals, as
//   src/server/http2-tuning.ts is.
import type * as grpc from '@grpc/grpc-js';
import type * as net from 'node:net';
import type { ServerConfig } from './config.ts';

// A dead peer (no FIN, no RST) is noticed by a ping it never answers, rather than at the next
// TCP retransmission timeout, minutes later.
const KEEPALIVE_TIME_MS = 5 * 60_000;
const KEEPALIVE_TIMEOUT_MS = 20_000;

export type TransportLimits = Pick<ServerConfig, 'maxMessageBytes' | 'maxStreamsPerConnection' | 'idleConnectionTimeoutMs'>;

/** grpc-js Server options that bound what one connection and one message can hold. */
export function transportOptions(limits: TransportLimits): grpc.ServerOptions {
  return {
    'grpc.max_receive_message_length': limits.maxMessageBytes,
    'grpc.max_send_message_length': -1,
    'grpc.max_concurrent_streams': limits.maxStreamsPerConnection,
    'grpc.max_connection_idle_ms': limits.idleConnectionTimeoutMs,
    'grpc.keepalive_time_ms': KEEPALIVE_TIME_MS,
    'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
  };
}

interface GrpcServerInternals {
  http2Servers?: Map<net.Server, unknown>;
}

/** Call after bindAsync: caps the connections each listening socket accepts. */
export function limitConnections(server: grpc.Server, maxConnections: number): void {
  const internals = server as unknown as GrpcServerInternals;
  if (!internals.http2Servers) throw new Error('grpc-js internals changed: cannot limit connections (see src/server/limits.ts)');
  for (const listener of internals.http2Servers.keys()) listener.maxConnections = maxConnections;
}
