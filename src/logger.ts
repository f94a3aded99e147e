// The Logger interface every layer logs through. It sits apart from any layer because storage
// and maintenance log too, and they must not import the Flight layer to name the type; the
// implementation (JSON or text lines) is the server's, src/server/logger.ts.

/** Where the server logs: one call per event, with structured fields. */
export interface Logger {
  /** Normal operation: start, stop, maintenance runs. */
  info(message: string, fields?: Record<string, unknown>): void;
  /** Something went wrong that the server handled. */
  warn(message: string, fields?: Record<string, unknown>): void;
  /** A failure, with the error that caused it. */
  error(message: string, error?: unknown, fields?: Record<string, unknown>): void;
}
