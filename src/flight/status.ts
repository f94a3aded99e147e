// The one place where errors become gRPC statuses.
import * as grpc from '@grpc/grpc-js';
import { QuiverError, type ErrorCode } from '../errors.ts';
import { IpcFormatError } from '../arrow/ipc-message.ts';
import { advisedMessage } from './client-advice.ts';

const CODES: Record<ErrorCode, grpc.status> = {
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  NOT_FOUND: grpc.status.NOT_FOUND,
  ALREADY_EXISTS: grpc.status.ALREADY_EXISTS,
  FAILED_PRECONDITION: grpc.status.FAILED_PRECONDITION,
  RESOURCE_EXHAUSTED: grpc.status.RESOURCE_EXHAUSTED,
  UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
  PERMISSION_DENIED: grpc.status.PERMISSION_DENIED,
  CANCELLED: grpc.status.CANCELLED,
  ABORTED: grpc.status.ABORTED,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
  UNIMPLEMENTED: grpc.status.UNIMPLEMENTED,
  DEADLINE_EXCEEDED: grpc.status.DEADLINE_EXCEEDED,
  DATA_LOSS: grpc.status.DATA_LOSS,
  INTERNAL: grpc.status.INTERNAL,
};

export interface StatusError extends Partial<grpc.StatusObject> {
  code: grpc.status;
  details: string;
}

export type ErrorLogger = (message: string, error: unknown) => void;

/** A status another server returned, passed on unchanged (a follower forwarding to the leader). */
export class UpstreamStatusError extends Error {
  constructor(readonly code: grpc.status, message: string, readonly metadata: grpc.Metadata) {
    super(message);
  }
}

export function toStatus(e: unknown, log?: ErrorLogger): StatusError {
  if (e instanceof UpstreamStatusError) return { code: e.code, details: e.message, metadata: e.metadata };
  if (e instanceof QuiverError) return { code: CODES[e.code], details: advisedMessage(e) };
  if (e instanceof IpcFormatError) return { code: grpc.status.INVALID_ARGUMENT, details: `malformed Arrow IPC: ${e.message}` };
  log?.('internal error', e);
  const message = e instanceof Error ? e.message : String(e);
  return { code: grpc.status.INTERNAL, details: `internal error: ${message}; the server log has details` };
}

/** A status error as grpc-js expects it from handlers (an Error carrying code and details). */
export function statusError(s: StatusError): grpc.ServiceError {
  const err = new Error(s.details) as grpc.ServiceError;
  err.code = s.code;
  err.details = s.details;
  err.metadata = s.metadata ?? new grpc.Metadata();
  return err;
}
