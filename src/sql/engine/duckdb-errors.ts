// DuckDB's errors -> QuiverError codes, in one place. DuckDB prefixes each message with its
// error class ("Binder Error: ...", "Out of Memory Error: ..."); that class decides the code.
import { QuiverError, type ErrorCode } from '../../errors.ts';

/** Why the engine interrupted a query itself, if it did. */
export type InterruptReason = 'cancelled' | 'deadline' | null;

const USER_ERRORS = ['Parser Error', 'Binder Error', 'Catalog Error', 'Conversion Error', 'Invalid Input Error',
  'Constraint Error', 'Out of Range Error', 'Not implemented Error', 'Syntax Error', 'Invalid Error', 'Dependency Error'];

export function fromDuckDbError(err: unknown, reason: InterruptReason, limits: { timeLimitMs?: number; memoryLimitBytes?: number }): QuiverError {
  if (err instanceof QuiverError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (reason === 'deadline') {
    return new QuiverError('DEADLINE_EXCEEDED', `the query ran longer than the SQL time limit of ${limits.timeLimitMs} ms and was stopped`, { cause: err });
  }
  if (reason === 'cancelled' || /^INTERRUPT Error/i.test(message) || /Interrupted/.test(message)) {
    return new QuiverError('CANCELLED', 'the query was cancelled', { cause: err });
  }
  let code: ErrorCode = 'INTERNAL';
  let text = message;
  if (/^Out of Memory Error/i.test(message)) {
    code = 'RESOURCE_EXHAUSTED';
    text = `the query needs more memory than the SQL memory limit${limits.memoryLimitBytes ? ` of ${limits.memoryLimitBytes} bytes` : ''} allows (${message})`;
  } else if (/^Permission Error/i.test(message)) {
    code = 'PERMISSION_DENIED';
    text = `${message} (quiver SQL reads quiver tables by name only)`;
  } else if (USER_ERRORS.some((p) => message.startsWith(p))) {
    code = 'INVALID_ARGUMENT';
  }
  return new QuiverError(code, text, { cause: err });
}
