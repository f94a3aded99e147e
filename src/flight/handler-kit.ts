// Adapters from promise/async-iterator handlers to grpc-js callbacks. Every call passes
// through here: authentication first, errors mapped to a status in one place, and streamed
// responses written with backpressure (wait for 'drain' when the transport is full).
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { QuiverError } from '../errors.ts';
import type { Identity } from './auth.ts';
import type { FlightContext } from './context.ts';
import { statusError, toStatus } from './status.ts';

export interface CallInfo {
  identity: Identity;
  metadata: grpc.Metadata;
  /** Aborted when the client cancels or the deadline passes. */
  signal: AbortSignal;
}

type AnyCall = grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>;

function callInfo(ctx: FlightContext, call: AnyCall, authenticate = true): CallInfo {
  const controller = new AbortController();
  (call as NodeJS.EventEmitter).on('cancelled', () => controller.abort(new QuiverError('CANCELLED', 'the client cancelled the call')));
  const identity = authenticate ? ctx.auth.authenticate(call.metadata) : { user: 'anonymous' };
  return { identity, metadata: call.metadata, signal: controller.signal };
}

function fail(ctx: FlightContext, method: string, e: unknown): grpc.ServiceError {
  const status = toStatus(e, (message, error) => ctx.log.error(`${method}: ${message}`, error));
  if (status.code !== grpc.status.INTERNAL) ctx.log.info(`${method} failed`, { code: grpc.status[status.code], details: status.details });
  return statusError(status);
}

export function unary<Req, Res>(ctx: FlightContext, method: string, fn: (req: Req, info: CallInfo) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    (async () => {
      const info = callInfo(ctx, call as AnyCall);
      return fn(call.request, info);
    })().then((res) => callback(null, res), (e) => callback(fail(ctx, method, e)));
  };
}

export function serverStream<Req, Res>(
  ctx: FlightContext,
  method: string,
  fn: (req: Req, info: CallInfo) => AsyncIterable<Res>,
): grpc.handleServerStreamingCall<Req, Res> {
  return (call) => {
    (async () => {
      const info = callInfo(ctx, call as AnyCall);
      for await (const item of fn(call.request, info)) {
        if (info.signal.aborted) return;
        if (!call.write(item)) await waitForDrain(call, info.signal);
      }
      call.end();
    })().catch((e) => {
      if (call.cancelled) return;
      // grpc-js turns an 'error' event into the call's status; destroy() would drop it.
      call.emit('error', fail(ctx, method, e));
    });
  };
}

export function bidiStream<Req, Res>(
  ctx: FlightContext,
  method: string,
  fn: (call: grpc.ServerDuplexStream<Req, Res>, info: CallInfo) => Promise<void>,
  options: { authenticate?: boolean } = {},
): grpc.handleBidiStreamingCall<Req, Res> {
  return (call) => {
    (async () => {
      const info = callInfo(ctx, call as AnyCall, options.authenticate ?? true);
      await fn(call, info);
    })().catch((e) => {
      if (call.cancelled) return;
      // grpc-js turns an 'error' event into the call's status; destroy() would drop it.
      call.emit('error', fail(ctx, method, e));
    });
  };
}

export async function waitForDrain(stream: NodeJS.EventEmitter, signal: AbortSignal): Promise<void> {
  await once(stream, 'drain', { signal }).catch((e) => {
    if (signal.aborted) return;
    throw e;
  });
}
