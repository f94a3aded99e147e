// Handshake: send Basic credentials, receive a bearer token. Servers disagree on where the
// credentials and the token go, so both places are used: credentials as an
// `authorization: Basic` header (pyarrow, arrow-go) and as a BasicAuth payload (Arrow Java);
// the token is read from the `authorization` response header, else from the response payload.
import * as grpc from '@grpc/grpc-js';
import { encodeMessage, type FlightServiceClient } from '../wire/protocol.ts';
import { toFlightError } from './flight-error.ts';

/** A user name and password for Basic authentication (exchanged for a bearer token). */
export interface BasicCredentials {
  username: string;
  password: string;
}

export function basicHeader(c: BasicCredentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

function bearerFrom(md: grpc.Metadata | undefined): string | null {
  const value = md?.get('authorization')[0];
  if (typeof value !== 'string') return null;
  const m = /^bearer\s+(.+)$/i.exec(value.trim());
  return m ? m[1]! : null;
}

/** Runs Handshake and returns the bearer token the server issued, or null if it issued none. */
export function handshake(stub: FlightServiceClient, credentials: BasicCredentials, options: grpc.CallOptions = {}): Promise<string | null> {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', basicHeader(credentials));
  const payload = encodeMessage('BasicAuth', { username: credentials.username, password: credentials.password });
  return new Promise<string | null>((resolve, reject) => {
    const call = stub.Handshake(metadata, options);
    let token: string | null = null;
    const payloads: Buffer[] = [];
    call.on('metadata', (md: grpc.Metadata) => (token ??= bearerFrom(md)));
    call.on('data', (res: { payload: Buffer }) => payloads.push(res.payload));
    call.on('error', (e) => reject(toFlightError(e)));
    call.on('status', (status: grpc.StatusObject) => {
      if (status.code !== grpc.status.OK) return;
      token ??= bearerFrom(status.metadata);
      // A server that echoes our own request issued no token.
      const fromPayload = payloads.find((p) => p.byteLength > 0 && !p.equals(payload));
      token ??= fromPayload ? fromPayload.toString('utf8') : null;
      // No token: the server does not use authentication, and later calls go without one.
      resolve(token);
    });
    call.write({ protocol_version: 0, payload });
    call.end();
  });
}
