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
import { once } from 'node:events';
import * as http2 from 'node:http2';
import { QuiverError } from '../errors.ts';

export const DEFAULT_STALL_TIMEOUT_MS = 60_000;

const LAYER_KEYS = ['call', 'nextCall'];

// node:http2 does not export its stream class: recognised by what resetting needs.
function isHttp2Stream(value: unknown): value is http2.ServerHttp2Stream {
  return typeof value === 'object' && value !== null && typeof (value as http2.ServerHttp2Stream).close === 'function' && typeof (value as http2.ServerHttp2Stream).respond === 'function' && 'rstCode' in value;
}

/** The HTTP/2 stream under a grpc-js server call, or null if grpc-js hides it differently. */
function serverHttp2Stream(call: object): http2.ServerHttp2Stream | null {
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

/** Resets a server call's HTTP/2 stream: what it has queued is dropped and the client sees CANCELLED. */
export function resetServerCall(call: object): boolean {
  const stream = serverHttp2Stream(call);
  if (!stream || stream.destroyed) return false;
  stream.close(http2.constants.NGHTTP2_CANCEL);
  return true;
}

/**
 * Waits for a stream the client reads from to drain; after `timeoutMs` of waiting the call is
 * reset and this throws DEADLINE_EXCEEDED (for the log: the client will not read it).
 */
export async function drainOrReset(call: NodeJS.EventEmitter, signal: AbortSignal, timeoutMs: number, what: string): Promise<void> {
  const stalled = AbortSignal.timeout(timeoutMs);
  try {
    await once(call, 'drain', { signal: AbortSignal.any([signal, stalled]) });
  } catch (e) {
    if (signal.aborted) return;
    if (!stalled.aborted) throw e;
    resetServerCall(call);
    throw new QuiverError('DEADLINE_EXCEEDED', `${what}: the client read nothing for ${timeoutMs / 1000} s; the call was reset (setting stallTimeoutMs, --stall-timeout)`, { retriable: true });
  }
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
