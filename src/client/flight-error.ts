// The one error type of the client. Every failure a caller can see (a gRPC status from the
// server, a transport failure, a cancelled call, a malformed stream) is a FlightError carrying
// the gRPC status code, so callers switch on one field.
import * as grpc from '@grpc/grpc-js';

/** The name of a gRPC status code, e.g. `NOT_FOUND`. */
export type StatusName = keyof typeof grpc.status;

/** Every failure of a {@link FlightClient} call: the gRPC status code, its details and trailers. */
export class FlightError extends Error {
  /** The gRPC status code (grpc.status.NOT_FOUND, ...). */
  readonly code: grpc.status;
  /** The status message as the server wrote it. */
  readonly details: string;
  /** Trailing metadata of the failed call, when there was a call. */
  readonly metadata: grpc.Metadata;

  /** An error of gRPC status `code` with the server's `details`. */
  constructor(code: grpc.status, details: string, options: { metadata?: grpc.Metadata; cause?: unknown } = {}) {
    super(`${statusName(code)}: ${details}`, { cause: options.cause });
    this.name = 'FlightError';
    this.code = code;
    this.details = details;
    this.metadata = options.metadata ?? new grpc.Metadata();
  }

  /** The code's name, e.g. "NOT_FOUND". */
  get codeName(): StatusName {
    return statusName(this.code);
  }

  /** True when the same call may succeed if sent again unchanged. */
  get retriable(): boolean {
    return this.code === grpc.status.UNAVAILABLE || this.code === grpc.status.ABORTED;
  }
}

/** The name of a gRPC status code (`5` is `NOT_FOUND`). */
export function statusName(code: grpc.status): StatusName {
  return (grpc.status[code] as StatusName | undefined) ?? 'UNKNOWN';
}

function isServiceError(e: unknown): e is grpc.ServiceError {
  return e instanceof Error && typeof (e as Partial<grpc.ServiceError>).code === 'number' && 'details' in e;
}

/** Any thrown value as a FlightError; grpc-js service errors keep their status. */
export function toFlightError(e: unknown): FlightError {
  if (e instanceof FlightError) return e;
  if (isServiceError(e)) return new FlightError(e.code, e.details, { metadata: e.metadata, cause: e });
  const message = e instanceof Error ? e.message : String(e);
  return new FlightError(grpc.status.INTERNAL, message, { cause: e });
}

export function cancelledError(signal: AbortSignal): FlightError {
  const reason = signal.reason instanceof Error ? signal.reason.message : 'the operation was aborted';
  return new FlightError(grpc.status.CANCELLED, `cancelled by the caller: ${reason}`, { cause: signal.reason });
}
