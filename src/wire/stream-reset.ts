// Aborting a client-streaming call so that the server can never mistake it for a complete one.
//
// grpc-js's call.cancel() ends in Http2Stream.close(NGHTTP2_CANCEL), and Node's close() first
// calls end() on the stream's writable side: whatever was buffered is flushed, then END_STREAM,
// then RST_STREAM. A DoPut server reads END_STREAM as "the client sent everything" and may
// commit before the reset arrives. Destroying the HTTP/2 stream with an error instead discards
// the buffered writes and sends RST_STREAM alone (code INTERNAL_ERROR, never NO_ERROR, which
// Node servers would also treat as a clean end), so the server sees an aborted stream.
// grpc-js does not expose its HTTP/2 stream; it is found by walking the call's layers
// (interceptors -> resolving -> retrying -> load-balancing -> subchannel call). Checked against
// @grpc/grpc-js 1.14; test/client/cancellation.test.ts fails if that walk stops finding it.
import type * as grpc from '@grpc/grpc-js';
import type * as http2 from 'node:http2';

const LAYER_KEYS = ['call', 'nextCall', 'child', 'underlyingCalls'];

/** The HTTP/2 stream under a grpc-js client call, or null before one has been opened. */
export function findHttp2Stream<Req, Res>(call: grpc.ClientDuplexStream<Req, Res> | grpc.ClientWritableStream<Req>): http2.ClientHttp2Stream | null {
  const seen = new Set<object>();
  const queue: unknown[] = [call];
  while (queue.length > 0) {
    const node = queue.shift();
    if (typeof node !== 'object' || node === null || seen.has(node)) continue;
    seen.add(node);
    const stream = (node as { http2Stream?: http2.ClientHttp2Stream }).http2Stream;
    if (stream && typeof stream.destroy === 'function') return stream;
    for (const key of LAYER_KEYS) {
      const next = (node as Record<string, unknown>)[key];
      if (Array.isArray(next)) queue.push(...next);
      else queue.push(next);
    }
  }
  return null;
}

/**
 * Resets the call's HTTP/2 stream without half-closing it, then cancels the call so that the
 * client side settles with CANCELLED. When no HTTP/2 stream exists yet nothing has reached the
 * server, and cancel() alone is safe.
 */
export function resetStream<Req, Res>(call: grpc.ClientDuplexStream<Req, Res>): void {
  const stream = findHttp2Stream(call);
  if (stream && !stream.destroyed) stream.destroy(new Error('call aborted by the client'));
  call.cancel();
}
