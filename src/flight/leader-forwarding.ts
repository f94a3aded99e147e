// A follower's DoPut, passed through to the leader: the client's messages go up unchanged (with
// backpressure: the next message is read only when the leader can take it), the leader's
// PutResults, trailers and status come back unchanged, so a plain Flight client can write to
// any replica. Cancellation resets the upstream stream without half-closing it, so the leader
// never commits an abandoned stream.
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { QuiverError } from '../errors.ts';
import { createFlightServiceClient } from '../wire/channel.ts';
import type { FlightDataMessage } from '../wire/flight-data.ts';
import { parseLocation, type ParsedLocation } from '../wire/location.ts';
import type { FlightServiceClient, PutResult } from '../wire/protocol.ts';
import { resetStream } from '../wire/stream-reset.ts';
import type { CallInfo } from './handler-kit.ts';
import { UpstreamStatusError } from './status.ts';

const clients = new Map<string, FlightServiceClient>();

/**
 * One channel per leader location, reused across calls, opened as FlightClient opens its own
 * (the same message limits and flow-control window).
 */
function clientFor(location: string, tlsCredentials?: () => grpc.ChannelCredentials): FlightServiceClient {
  let client = clients.get(location);
  if (!client) {
    let parsed: ParsedLocation;
    try {
      parsed = parseLocation(location);
    } catch (e) {
      throw new QuiverError('UNAVAILABLE', `cannot forward to the leader at ${location}: ${(e as Error).message}`);
    }
    if (parsed.tls && !tlsCredentials) throw new QuiverError('UNAVAILABLE', `cannot forward to the leader at ${location}: this replica has no TLS settings (--tls-cert, --tls-key)`);
    client = createFlightServiceClient(parsed, parsed.tls ? tlsCredentials!() : {});
    clients.set(location, client);
  }
  return client;
}

/** Forwards the rest of a DoPut (its first message already read) to the leader at `location`. */
export async function forwardPut(
  call: grpc.ServerDuplexStream<FlightDataMessage, PutResult>,
  messages: AsyncIterator<FlightDataMessage>,
  first: FlightDataMessage,
  location: string,
  info: CallInfo,
  /** Credentials for a grpc+tls:// leader: this replica's own TLS settings. */
  tlsCredentials?: () => grpc.ChannelCredentials,
): Promise<void> {
  const metadata = new grpc.Metadata();
  // Tokens are signed with a key every replica shares (signed-tokens.ts), so the caller's own
  // credentials are good on the leader too.
  for (const key of ['authorization', 'auth-token-bin']) {
    const value = info.metadata.get(key)[0];
    if (value !== undefined) metadata.set(key, value);
  }
  const upstream = clientFor(location, tlsCredentials).DoPut(metadata);
  const status = new Promise<grpc.StatusObject>((resolve) => upstream.on('status', resolve));
  upstream.on('error', () => undefined); // the status above carries the outcome
  upstream.on('data', (r: PutResult) => call.write(r));
  const onAbort = () => resetStream(upstream);
  info.signal.addEventListener('abort', onAbort, { once: true });
  try {
    let msg: FlightDataMessage | undefined = first;
    while (msg) {
      if (!upstream.write(msg)) await Promise.race([once(upstream, 'drain'), status]);
      const next = await Promise.race([messages.next(), status.then(() => null)]);
      if (next === null || next.done) break;
      msg = next.value;
    }
    if (info.signal.aborted) throw info.signal.reason;
    upstream.end();
    const s = await status;
    if (s.code !== grpc.status.OK) throw new UpstreamStatusError(s.code, `the leader at ${location} answered: ${s.details}`, s.metadata);
    call.end(s.metadata);
  } catch (e) {
    resetStream(upstream);
    throw e;
  } finally {
    info.signal.removeEventListener('abort', onAbort);
  }
}
