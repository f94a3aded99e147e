// grpc-js calls as promises and async iterables, with AbortSignal cancellation and every
// failure turned into a FlightError.
import type * as grpc from '@grpc/grpc-js';
import { cancelledError, toFlightError } from './flight-error.ts';

/** Options every call takes: an AbortSignal, a deadline and extra headers. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Absolute deadline or milliseconds from now. */
  deadline?: Date | number;
  /** Extra request headers for this call (keys ending in -bin take binary values). */
  headers?: Record<string, string | Uint8Array>;
}

export function grpcCallOptions(options: CallOptions): grpc.CallOptions {
  if (options.deadline === undefined) return {};
  return { deadline: typeof options.deadline === 'number' ? Date.now() + options.deadline : options.deadline };
}

type UnaryInvoker<Res> = (callback: grpc.requestCallback<Res>) => grpc.ClientUnaryCall;

export function unaryCall<Res>(invoke: UnaryInvoker<Res>, signal?: AbortSignal): Promise<Res> {
  if (signal?.aborted) return Promise.reject(cancelledError(signal));
  return new Promise<Res>((resolve, reject) => {
    const onAbort = () => {
      call.cancel();
      reject(cancelledError(signal!));
    };
    const call = invoke((err, res) => {
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(toFlightError(err));
      else resolve(res!);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The messages of a server-streaming call. Breaking out of the loop, or aborting, cancels the
 * call; grpc-js's own backpressure applies (it reads from the network as the loop consumes).
 */
export async function* serverStream<Res>(call: grpc.ClientReadableStream<Res>, signal?: AbortSignal): AsyncGenerator<Res> {
  if (signal?.aborted) {
    call.cancel();
    throw cancelledError(signal);
  }
  const onAbort = () => call.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  let finished = false;
  try {
    for await (const message of call) yield message as Res;
    finished = true;
  } catch (e) {
    if (signal?.aborted) throw cancelledError(signal);
    throw toFlightError(e);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!finished) call.cancel();
  }
}
