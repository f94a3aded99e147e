// Every call carries a request id back to its caller: the client's own `x-request-id` when it
// sent a usable one, else a new UUID. Services calling quiver over RPC put it in their logs, and
// quiver puts it in the log line of every failed call, so one id ties the two sides together.
// It travels in the response headers, or in the trailers of a call that fails before sending
// anything (ResponseHeaders takes care of that), so it is there on every outcome.
import { randomUUID } from 'node:crypto';
import type { CallMiddleware } from './response-headers.ts';

export const REQUEST_ID_HEADER = 'x-request-id';

// Printable ASCII, short: the id lands in log lines, so control characters or a megabyte of
// header from a hostile client are replaced rather than echoed.
const USABLE = /^[\x21-\x7e]{1,128}$/;

export const requestIds: CallMiddleware = {
  onCall({ metadata }, response) {
    const sent = metadata.get(REQUEST_ID_HEADER)[0];
    response.set(REQUEST_ID_HEADER, typeof sent === 'string' && USABLE.test(sent) ? sent : randomUUID());
  },
};
