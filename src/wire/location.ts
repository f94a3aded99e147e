// Flight locations: `grpc+tcp://host:port`, `grpc+tls://host:port` (also `grpc://`), and
// `arrow-flight-reuse-connection://?`, which means "the server this endpoint came from".

/** A Flight location taken apart: the address grpc-js dials and whether it takes TLS. */
export interface ParsedLocation {
  uri: string;
  /** host:port as grpc-js takes it. */
  address: string;
  tls: boolean;
}

/** The location that means "the server this endpoint came from". */
export const REUSE_CONNECTION = 'arrow-flight-reuse-connection://?';

const SCHEMES: Record<string, boolean> = { 'grpc+tcp:': false, 'grpc:': false, 'grpc+tls:': true };

export function isReuseConnection(uri: string): boolean {
  return uri.startsWith('arrow-flight-reuse-connection:');
}

/** Parses a `grpc+tcp://`, `grpc+tls://` or `grpc://` location; throws a TypeError on any other. */
export function parseLocation(uri: string): ParsedLocation {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new TypeError(`not a Flight location: ${JSON.stringify(uri)} (expected grpc+tcp://host:port or grpc+tls://host:port)`);
  }
  const tls = SCHEMES[url.protocol];
  if (tls === undefined) throw new TypeError(`unsupported Flight location scheme ${JSON.stringify(url.protocol)} in ${JSON.stringify(uri)}: use grpc+tcp:// or grpc+tls://`);
  if (!url.hostname || !url.port) throw new TypeError(`Flight location ${JSON.stringify(uri)} needs a host and a port`);
  return { uri, address: `${url.hostname}:${url.port}`, tls };
}
