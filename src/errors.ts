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

export class QuiverError extends Error {
  readonly code: ErrorCode;
  /** True when the same call may succeed if sent again unchanged (a lost race, a leader change). */
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'QuiverError';
    this.code = code;
    this.retriable = options.retriable ?? (code === 'UNAVAILABLE' || code === 'ABORTED');
  }
}

export const invalidArgument = (message: string) => new QuiverError('INVALID_ARGUMENT', message);
export const notFound = (message: string) => new QuiverError('NOT_FOUND', message);
