// A bare HTTP/2 gRPC client for the limits tests: it sends exactly the frames a hostile client
// would (a compressed message, a length prefix with no message behind it, a call that never
// sends or never reads), which no gRPC library lets a caller do.
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface RawStatus {
  code: number | null;
  message: string;
  /** RST_STREAM code when the server reset the stream instead of answering. */
  rstCode: number;
}

export function connect(address: string): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    // Room for what a test deliberately leaves queued (a stream it does not read, or writes the
    // server does not take yet): Node's 10 MB default would end the session ENHANCE_YOUR_CALM on
    // the client's side before the server's own bound is reached.
    const session = http2.connect(`http://${address}`, { maxSessionMemory: 256 });
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

/** Opens `method` of the Flight service with gRPC's request headers, plus `headers`. */
export function open(session: http2.ClientHttp2Session, method: string, headers: Record<string, string> = {}): http2.ClientHttp2Stream {
  return session.request({
    ':method': 'POST',
    ':path': `/arrow.flight.protocol.FlightService/${method}`,
    'content-type': 'application/grpc',
    te: 'trailers',
    ...headers,
  });
}

/** One gRPC length-prefixed message. */
export function frame(payload: Buffer, compressed = false, declaredLength = payload.byteLength): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt8(compressed ? 1 : 0, 0);
  prefix.writeUInt32BE(declaredLength, 1);
  return Buffer.concat([prefix, payload]);
}

/** A protobuf message holding one bytes field number 1 (Ticket, FlightDescriptor's type aside). */
export function bytesField1(bytes: Buffer): Buffer {
  const len: number[] = [];
  let n = bytes.byteLength;
  while (n > 0x7f) { len.push((n & 0x7f) | 0x80); n >>>= 7; }
  len.push(n);
  return Buffer.concat([Buffer.from([0x0a, ...len]), bytes]);
}

/**
 * The call's grpc-status (trailers, or a trailers-only response), or the reset that ended it;
 * rejects with `what` if the call is still open after `timeoutMs`.
 */
export function outcome(stream: http2.ClientHttp2Stream, timeoutMs: number, what = 'the server did not end the call'): Promise<RawStatus> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} within ${timeoutMs} ms`)), timeoutMs);
    // A status ends the call for the client even while its own side is still open.
    const take = (h: http2.IncomingHttpHeaders) => {
      if (h['grpc-status'] === undefined) return;
      clearTimeout(timer);
      resolve({ code: Number(h['grpc-status']), message: decodeURIComponent(String(h['grpc-message'] ?? '')), rstCode: 0 });
    };
    stream.on('response', take);
    stream.on('trailers', take);
    stream.on('error', () => undefined);
    stream.on('close', () => {
      clearTimeout(timer);
      resolve({ code: null, message: '', rstCode: stream.rstCode ?? 0 });
    });
    // Read whatever comes, unless the test paused the stream on purpose before calling this.
    if (!stream.isPaused()) stream.resume();
  });
}

export function localPort(session: http2.ClientHttp2Session): number {
  return (session.socket.address() as AddressInfo).port;
}
