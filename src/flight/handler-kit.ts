// Adapters from promise/async-iterator handlers to grpc-js callbacks. Every call passes
// through here: call middleware first (so its response headers come back on every outcome),
// then authentication, errors mapped to a status in one place, and streamed responses written
// with backpressure (wait for 'drain' when the transport is full).
import { once } from 'node:events';
import type * as http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { QuiverError } from '../errors.ts';
import type { Authenticator, Identity } from './auth.ts';
import type { Logger } from './context.ts';
import { DEFAULT_STALL_TIMEOUT_MS, serverHttp2Stream, stalledReaderNote, watchStalledReader } from './limits-stall.ts';
import { REQUEST_ID_HEADER } from './request-id.ts';
import { ResponseHeaders, type CallMiddleware } from './response-headers.ts';
import { statusError, toStatus } from './status.ts';

/** What the adapters need of a server: FlightContext has it, and so can a smaller server. */
export interface KitContext {
  auth: Authenticator;
  log: Logger;
  /** Run on every call, in order, before authentication. */
  middleware?: readonly CallMiddleware[];
  /** How long a call may wait on its client (src/flight/limits-stall.ts); default 60 s. */
  stallTimeoutMs?: number;
}

export interface CallInfo {
  identity: Identity;
  metadata: grpc.Metadata;
  /** Aborted when the client cancels or the deadline passes. */
  signal: AbortSignal;
  /** Headers of this call's response; set them before the first response message. */
  response: ResponseHeaders;
  /**
   * A streaming handler may set this: called once per message it yielded, in order, when grpc-js
   * has handed that message to HTTP/2 (flow control let it out), so the handler can count what
   * it has queued (the change feed bounds it: src/feed/follow-stream.ts).
   */
  onFlushed?: () => void;
}

type AnyCall = grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>;

function startCall(ctx: KitContext, method: string, call: AnyCall): ResponseHeaders {
  const response = new ResponseHeaders();
  for (const m of ctx.middleware ?? []) m.onCall({ method, metadata: call.metadata }, response);
  return response;
}

async function callInfo(ctx: KitContext, call: AnyCall, response: ResponseHeaders, authenticate = true): Promise<CallInfo> {
  // grpc-js emits 'cancelled' at the end of every call, completed ones too; most handlers
  // (GetFlightInfo) never look at the signal, so it is made only when asked for, and the
  // error (a stack trace) only for a signal that exists: together they were a tenth of a
  // GetFlightInfo's server CPU.
  let controller: AbortController | undefined;
  let cancelled = false;
  const cancel = () => controller!.abort(new QuiverError('CANCELLED', 'the client cancelled the call'));
  (call as NodeJS.EventEmitter).once('cancelled', () => {
    cancelled = true;
    if (controller) cancel();
  });
  // Handshake, which is how a caller gets credentials, runs as a nobody.
  const identity: Identity = authenticate ? await ctx.auth.authenticate(call.metadata) : { user: 'anonymous', role: 'read' };
  return {
    identity,
    metadata: call.metadata,
    response,
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (cancelled) cancel();
      }
      return controller.signal;
    },
  };
}

function fail(ctx: KitContext, method: string, e: unknown, response: ResponseHeaders): grpc.ServiceError {
  const status = toStatus(e, (message, error) => ctx.log.error(`${method}: ${message}`, error));
  const requestId = response.get(REQUEST_ID_HEADER);
  if (status.code !== grpc.status.INTERNAL) ctx.log.info(`${method} failed`, { code: grpc.status[status.code], details: status.details, ...(requestId ? { requestId } : {}) });
  return statusError({ ...status, metadata: response.trailersForError(status.metadata) });
}

export function unary<Req, Res>(ctx: KitContext, method: string, fn: (req: Req, info: CallInfo) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    let response: ResponseHeaders | undefined;
    (async () => {
      response = startCall(ctx, method, call as AnyCall);
      const info = await callInfo(ctx, call as AnyCall, response);
      return fn(call.request, info);
    })().then((res) => {
      response!.send(call);
      callback(null, res);
    }, (e) => callback(fail(ctx, method, e, response ?? new ResponseHeaders())));
  };
}

export function serverStream<Req, Res>(
  ctx: KitContext,
  method: string,
  fn: (req: Req, info: CallInfo) => AsyncIterable<Res>,
): grpc.handleServerStreamingCall<Req, Res> {
  return (call) => runServerStream(ctx, method, call, (info, response) => writeMessages(call, fn(call.request, info), info, response));
}

/** A server stream's set-up and its failure: `body` writes the messages and ends the call. */
function runServerStream<Req, Res>(ctx: KitContext, method: string, call: grpc.ServerWritableStream<Req, Res>, body: (info: CallInfo, response: ResponseHeaders) => Promise<void>): void {
  let response: ResponseHeaders | undefined;
  (async () => {
    response = startCall(ctx, method, call as AnyCall);
    watchReader(ctx, method, call);
    await body(await callInfo(ctx, call as AnyCall, response), response);
  })().catch((e) => {
    if (call.cancelled) return;
    // grpc-js turns an 'error' event into the call's status; destroy() would drop it.
    call.emit('error', fail(ctx, method, e, response ?? new ResponseHeaders()));
  });
}

/** About how many bytes of messages encodedServerStream hands to HTTP/2 in one write. */
export const PAGE_BYTES = 64 * 1024;

/**
 * A server stream whose messages the handler has encoded already (the method's serializer
 * passes a Buffer through, src/wire/protocol.ts) and returns as a plain iterable: ListFlights.
 * A message need stay as it is only until the next is asked for (the handler may write each
 * one into the same memory).
 * grpc-js sends each message on its own: a length-prefixed copy, one write to the HTTP/2 stream
 * and its completion callback, at most 16 messages queued; with an async generator in front,
 * 100,000 small messages cost seconds of CPU. Here the messages are framed (the 5-byte gRPC
 * prefix) into pages of about PAGE_BYTES, each one write to the call's HTTP/2 stream, with no
 * await between messages. grpc-js still sends the headers (before the first page) and the
 * status (after the last, behind the pages on the same stream). A server with interceptors
 * (the metrics count each message they see) takes grpc-js' per-message path, and so does a
 * grpc-js whose call does not show its HTTP/2 stream.
 */
export function encodedServerStream<Req>(
  ctx: KitContext,
  method: string,
  fn: (req: Req, info: CallInfo) => Promise<Iterable<Buffer>>,
): grpc.handleServerStreamingCall<Req, Buffer> {
  return (call) => runServerStream(ctx, method, call, async (info, response) => {
    const messages = await fn(call.request, info);
    const stream = uninterceptedStream(call);
    if (stream) await writePages(stream, messages, info.signal, () => response.send(call));
    else {
      for (const m of messages) {
        if (info.signal.aborted) return;
        response.send(call);
        if (!call.write(Buffer.from(m))) await waitForDrain(call, info.signal);
      }
    }
    if (info.signal.aborted) return;
    response.send(call);
    call.end();
  });
}

/** The call's HTTP/2 stream when no interceptor stands between the call and it. */
function uninterceptedStream(call: object): http2.ServerHttp2Stream | null {
  const stream = serverHttp2Stream(call);
  return stream && (call as { call?: { stream?: unknown } }).call?.stream === stream ? stream : null;
}

/** Frames each message into the current page at once (it may be reused once the next is asked for). */
async function writePages(stream: http2.ServerHttp2Stream, messages: Iterable<Buffer>, signal: AbortSignal, beforeFirst: () => void): Promise<void> {
  let page = Buffer.allocUnsafeSlow(PAGE_BYTES);
  let at = 0;
  const flush = async () => {
    const out = page.subarray(0, at);
    page = Buffer.allocUnsafeSlow(PAGE_BYTES);
    at = 0;
    beforeFirst();
    if (!stream.write(out)) await waitForDrain(stream, signal);
  };
  for (const m of messages) {
    if (signal.aborted || stream.destroyed) return;
    const framed = 5 + m.length;
    if (at + framed > page.length) {
      if (at > 0) await flush();
      if (framed > page.length) page = Buffer.allocUnsafeSlow(framed);
    }
    page[at] = 0; // not compressed
    page.writeUInt32BE(m.length, at + 1);
    m.copy(page, at + 5);
    at += framed;
  }
  if (at > 0 && !signal.aborted) await flush();
}

/** Messages at least this long are written as they are, behind their own 5-byte prefix. */
export const DIRECT_BYTES = 16 * 1024;
/** How many bytes prebuiltServerStream lets queue on the HTTP/2 stream before it waits for 'drain'. */
export const QUEUE_BYTES = 4 * 1024 * 1024;

/**
 * A server stream whose messages `encode` turns into bytes without copying them (DoGet: a
 * prebuilt FlightData message is its own encoding, src/wire/flight-data.ts). grpc-js would copy
 * each message once more behind its 5-byte prefix; here a message of DIRECT_BYTES or more is
 * handed to the HTTP/2 stream as it is, its prefix in a separate buffer (one writev for both),
 * and shorter ones are copied into a page that goes out with the next long message, when full,
 * or once the handler's iterator leaves the event loop idle (setImmediate). Up to QUEUE_BYTES
 * may queue on the stream before the next message waits for 'drain' (grpc-js queues up to 16
 * messages; a single message in flight leaves the socket idle between them). Headers and status
 * are still grpc-js'; a server with interceptors takes grpc-js' per-message path. `info.onFlushed`
 * is not called here: a handler that needs it (the change feed) uses serverStream.
 */
export function prebuiltServerStream<Req, Res>(
  ctx: KitContext,
  method: string,
  fn: (req: Req, info: CallInfo) => AsyncIterable<Res>,
  encode: (message: Res) => Buffer,
): grpc.handleServerStreamingCall<Req, Res> {
  return (call) => runServerStream(ctx, method, call, async (info, response) => {
    const stream = uninterceptedStream(call);
    const messages = fn(call.request, info);
    if (!stream) return writeMessages(call, messages, info, response);
    const frames = new FrameWriter(stream, () => response.send(call));
    try {
      for await (const m of messages) {
        if (info.signal.aborted || stream.destroyed) return;
        frames.add(encode(m));
        if (stream.writableLength >= QUEUE_BYTES) await waitForDrain(stream, info.signal);
      }
    } finally {
      // What was yielded before a failure goes out before its status, as on grpc-js' path.
      if (!info.signal.aborted) frames.flush();
    }
    if (info.signal.aborted) return;
    response.send(call);
    call.end();
  });
}

/** grpc-js' path for each message: a copy behind its prefix, one write and its callback each. */
async function writeMessages<Req, Res>(call: grpc.ServerWritableStream<Req, Res>, messages: AsyncIterable<Res>, info: CallInfo, response: ResponseHeaders): Promise<void> {
  for await (const item of messages) {
    if (info.signal.aborted) return;
    response.send(call);
    if (!call.write(item, info.onFlushed)) await waitForDrain(call, info.signal);
  }
  response.send(call);
  call.end();
}

/** Frames encoded messages onto an HTTP/2 stream: short ones copied into a page, long ones as they are. */
class FrameWriter {
  private page = Buffer.allocUnsafeSlow(PAGE_BYTES);
  private at = 0;
  private flushScheduled = false;

  constructor(private readonly stream: http2.ServerHttp2Stream, private readonly beforeFirst: () => void) {}

  add(m: Buffer): void {
    if (this.stream.destroyed) return;
    const long = m.length >= DIRECT_BYTES;
    if (this.at + 5 + (long ? 0 : m.length) > this.page.length) this.flush();
    this.page[this.at] = 0; // not compressed
    this.page.writeUInt32BE(m.length, this.at + 1);
    this.at += 5;
    if (long) {
      this.stream.cork();
      this.flush();
      this.stream.write(m);
      this.stream.uncork();
      return;
    }
    m.copy(this.page, this.at);
    this.at += m.length;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  /** Writes the page's framed bytes now (the page is not reused: the stream holds it until sent). */
  flush(): void {
    if (this.at === 0 || this.stream.destroyed) return;
    const out = this.page.subarray(0, this.at);
    this.page = this.page.length - this.at >= DIRECT_BYTES ? this.page.subarray(this.at) : Buffer.allocUnsafeSlow(PAGE_BYTES);
    this.at = 0;
    this.beforeFirst();
    this.stream.write(out);
  }
}

/** Resets the call if its client stops reading what it is sent (src/flight/limits-stall.ts). */
export function watchReader(ctx: KitContext, method: string, call: object): void {
  const timeoutMs = ctx.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  watchStalledReader(call, timeoutMs, () => ctx.log.info(stalledReaderNote(method, timeoutMs)));
}

export interface BidiOptions {
  /** false for Handshake, which is how a caller gets credentials. */
  authenticate?: boolean;
  /**
   * true when the handler sends `info.response` itself (Handshake adds the token it issues);
   * otherwise headers set by middleware go out as the call starts, before the handler writes.
   */
  handlerSendsHeaders?: boolean;
}

export function bidiStream<Req, Res>(
  ctx: KitContext,
  method: string,
  fn: (call: grpc.ServerDuplexStream<Req, Res>, info: CallInfo) => Promise<void>,
  options: BidiOptions = {},
): grpc.handleBidiStreamingCall<Req, Res> {
  return (call) => {
    let response: ResponseHeaders | undefined;
    (async () => {
      response = startCall(ctx, method, call as AnyCall);
      const info = await callInfo(ctx, call as AnyCall, response, options.authenticate ?? true);
      // With no headers to send, grpc-js sends its default ones with the first message, and an
      // early failure stays a trailers-only response, as before middleware existed.
      if (!options.handlerSendsHeaders && !response.empty) response.send(call);
      await fn(call, info);
    })().catch((e) => {
      if (call.cancelled) return;
      // grpc-js turns an 'error' event into the call's status; destroy() would drop it.
      call.emit('error', fail(ctx, method, e, response ?? new ResponseHeaders()));
    });
  };
}

/** Waits for 'drain' as long as the call lasts (watchReader resets a call whose client stopped reading). */
export async function waitForDrain(stream: NodeJS.EventEmitter, signal: AbortSignal): Promise<void> {
  await once(stream, 'drain', { signal }).catch((e) => {
    if (signal.aborted) return;
    throw e;
  });
}
