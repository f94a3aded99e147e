// What the DoPut and DoAction halves of Flight SQL (sql-puts.ts, sql-actions.ts) use of the
// service that owns them, as an interface, so that neither imports the service itself.
import type { FlightContext } from '../flight/context.ts';
import type { CallInfo } from '../flight/handler-kit.ts';
import type { RunningQueries } from './running-queries.ts';
import type { Statements } from './statements.ts';
import type { TableWrites } from './table-writes.ts';

/** A Flight SQL message from a descriptor or ticket: its proto name and serialized value. */
export interface SqlCommand {
  type: string;
  value: Uint8Array;
}

export interface SqlServiceParts {
  readonly ctx: FlightContext;
  readonly tables: TableWrites;
  readonly statements: Statements;
  readonly running: RunningQueries;
  /** The session's quiver.as_of (ms since the epoch), which applies to SQL as to GetFlightInfo. */
  asOf(info: CallInfo): number | undefined;
  /** The SQL and bound parameters a statement command names. */
  statementOf(cmd: SqlCommand): { sql: string; params?: string; prepared: boolean };
}
