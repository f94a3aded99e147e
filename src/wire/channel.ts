// The raw stub: a grpc-js client of the Flight service whose FlightData messages go through
// quiver's own codec, with the channel settings bulk Arrow data needs (channel-options.ts).
// Every channel quiver opens is made here: FlightClient's, and a follower's to its leader.
import * as grpc from '@grpc/grpc-js';
import { flightService, type FlightServiceClient } from './protocol.ts';
import { CHANNEL_DEFAULTS } from './channel-options.ts';
import type { ParsedLocation } from './location.ts';

/** TLS settings of a client: the CA bundle to trust, and a client certificate for mutual TLS. */
export interface TlsOptions {
  /** PEM of the certificate authorities to trust instead of the system's. */
  ca?: Buffer;
  /** PEM client certificate chain and key, for mutual TLS. */
  cert?: Buffer;
  key?: Buffer;
  /** Verify the server certificate against this name instead of the location's host. */
  serverName?: string;
}

const Stub = grpc.makeGenericClientConstructor(flightService, 'FlightService');

export function channelCredentials(location: ParsedLocation, tls: TlsOptions = {}): grpc.ChannelCredentials {
  if (!location.tls) {
    if (tls.ca || tls.cert || tls.key) throw new TypeError(`TLS options were given but ${location.uri} is not a grpc+tls:// location`);
    return grpc.credentials.createInsecure();
  }
  if (Boolean(tls.cert) !== Boolean(tls.key)) throw new TypeError('mutual TLS needs both a client certificate and its key');
  return grpc.credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null);
}

/**
 * The typed raw stub for `location` (DoGet/DoPut/DoExchange carry FlightDataMessage values).
 * `tls` is either the options to build TLS credentials from, or ready-made credentials (a
 * server reaching another replica brings its own).
 */
export function createFlightServiceClient(location: ParsedLocation, tls: TlsOptions | grpc.ChannelCredentials = {}, options: grpc.ChannelOptions = {}, interceptors: grpc.Interceptor[] = []): FlightServiceClient {
  const channelOptions: grpc.ChannelOptions = { ...CHANNEL_DEFAULTS, ...options };
  const credentials = tls instanceof grpc.ChannelCredentials ? tls : channelCredentials(location, tls);
  if (!(tls instanceof grpc.ChannelCredentials) && tls.serverName) channelOptions['grpc.ssl_target_name_override'] = tls.serverName;
  const clientOptions: grpc.ClientOptions = interceptors.length > 0 ? { ...channelOptions, interceptors } : channelOptions;
  return new Stub(location.address, credentials, clientOptions) as unknown as FlightServiceClient;
}
