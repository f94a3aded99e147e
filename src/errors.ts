// One error type for the whole server. Storage, coordination and the Flight layer throw it;
// src/flight/status.ts maps it to a gRPC status in exactly one place.

export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'CANCELLED'
  | 'ABORTED'
  | 'UNAVAILABLE'
  | 'UNIMPLEMENTED'
  | 'DEADLINE_EXCEEDED'
  | 'DATA_LOSS'
  | 'INTERNAL';

/**
 * What a storage error is about, in storage's own terms. Storage knows nothing of the RPCs its
 * callers serve, so it states the fact; the Flight layer adds what the client should do next.
 */
export type ErrorFact =
  | { kind: 'table-missing'; table: string }
  | { kind: 'version-missing'; table: string; version: number }
  /** A version's manifest is gone: the table was dropped or the version expired. */
  | { kind: 'version-gone'; table: string }
  | { kind: 'no-version-as-of'; table: string; at: number }
  | { kind: 'table-exists'; table: string; version: number }
  | { kind: 'schema-mismatch'; table: string; reason: string }
  /** The commit lost a race with another writer: nothing was committed. */
  | { kind: 'not-committed'; table: string };

export class QuiverError extends Error {
  readonly code: ErrorCode;
  /** True when the same call may succeed if sent again unchanged (a lost race, a leader change). */
  readonly retriable: boolean;
  readonly fact?: ErrorFact;

  constructor(code: ErrorCode, message: string, options: { retriable?: boolean; cause?: unknown; fact?: ErrorFact } = {}) {
    super(message, { cause: options.cause });
    this.name = 'QuiverError';
    this.code = code;
    this.retriable = options.retriable ?? (code === 'UNAVAILABLE' || code === 'ABORTED');
    if (options.fact) this.fact = options.fact;
  }
}

export const invalidArgument = (message: string) => new QuiverError('INVALID_ARGUMENT', message);
export const notFound = (message: string) => new QuiverError('NOT_FOUND', message);
