// Calls that wait on their client are given up after the stall timeout (--stall-timeout): a
// DoGet or DoExchange whose client stops reading, a Handshake that never sends its request.
// Otherwise such a call holds its buffers, its read plan and one of the connection's streams
// for as long as the client keeps the connection open.
//
// A status alone would not release a stalled reader's stream: grpc-js sends the trailers after
// the data queued before them, which the client does not read, so they never leave. The HTTP/2
// stream itself is reset (RST_STREAM CANCEL), which drops the queued data at once. grpc-js does
// not expose a server call's HTTP/2 stream; it is found by walking the call's layers
// (ServerWritableStream -> interceptors -> the base call that owns `stream`). Checked against
// @grpc/grpc-js 1.14; test/limits/stalled-calls.test.ts fails if the walk stops finding it.
import * as http2 from 'node:http2';
import { QuiverError } from '../errors.ts';

export const DEFAULT_STALL_TIMEOUT_MS = 60_000;

const LAYER_KEYS = ['call', 'nextCall'];

// node:http2 does not export its stream class: recognised by what resetting needs.
function isHttp2Stream(value: unknown): value is http2.ServerHttp2Stream {
  return typeof value === 'object' && value !== null && typeof (value as http2.ServerHttp2Stream).close === 'function' && typeof (value as http2.ServerHttp2Stream).respond === 'function' && 'rstCode' in value;
}

/** The HTTP/2 stream under a grpc-js server call, or null if grpc-js hides it differently. */
export function serverHttp2Stream(call: object): http2.ServerHttp2Stream | null {
  const seen = new Set<object>();
  let node: unknown = call;
  while (typeof node === 'object' && node !== null && !seen.has(node)) {
    seen.add(node);
    const stream = (node as { stream?: unknown }).stream;
    if (isHttp2Stream(stream)) return stream;
    const next = LAYER_KEYS.map((k) => (node as Record<string, unknown>)[k]).find((v) => typeof v === 'object' && v !== null);
    node = next;
  }
  return null;
}

/**
 * Watches a call whose client reads what the server sends: while data is queued for the client
 * and none of it leaves for `timeoutMs`, the client has stopped reading, and the call is reset.
 * Progress is the HTTP/2 stream's queue shrinking, so a slow reader is never cut, only one that
 * reads nothing; the watch also covers the wait after the last message (the trailers queue
 * behind unread data). Stops by itself when the call closes; returns a stop function too.
 */
export function watchStalledReader(call: object, timeoutMs: number, onStall: () => void): () => void {
  const stream = serverHttp2Stream(call);
  if (!stream) return () => undefined;
  let queued = 0;
  let since = Date.now();
  const timer = setInterval(() => {
    if (stream.destroyed || stream.closed) return stop();
    const now = stream.bufferSize;
    if (now === 0 || now !== queued) {
      queued = now;
      since = Date.now();
      return;
    }
    if (Date.now() - since < timeoutMs) return;
    stop();
    stream.close(http2.constants.NGHTTP2_CANCEL);
    onStall();
  }, Math.max(50, Math.floor(timeoutMs / 4)));
  timer.unref();
  const stop = () => {
    clearInterval(timer);
    stream.off('close', stop);
  };
  stream.once('close', stop);
  return stop;
}

/** The log line of a call reset by watchStalledReader. */
export function stalledReaderNote(method: string, timeoutMs: number): string {
  return `${method}: the client read nothing for ${timeoutMs / 1000} s; the call was reset and what it held released (setting stallTimeoutMs, --stall-timeout)`;
}

/** `promise`, or DEADLINE_EXCEEDED if it has not settled within `timeoutMs`. */
export async function withinStallTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QuiverError('DEADLINE_EXCEEDED', `${what} within ${timeoutMs / 1000} s (setting stallTimeoutMs, --stall-timeout); send it promptly after opening the call`, { retriable: true })), timeoutMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
