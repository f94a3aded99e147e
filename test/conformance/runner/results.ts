// What a conformance run produces: one result per case and client, and the run's report. Its
// own module so that the runner and the parts it calls (scenario and stream runners, the conformance
// table) share these types without importing each other in a cycle.
import type { ClientId } from '../client-limits.ts';

export type Outcome = 'pass' | 'fail' | 'cannot-run' | 'not-installed';

export interface CaseResult {
  case: string;
  client: ClientId;
  outcome: Outcome;
  /** One line: why it failed or cannot run. */
  reason?: string;
  /** Set when the cell's client is ours on the column's library, not the Arrow project's: which and why. */
  via?: string;
  seconds?: number;
  /** Client stdout+stderr (tail), and the server's stderr tail, for failures. */
  output?: string;
  serverLog?: string;
}

export interface RunReport {
  started: string;
  seconds: number;
  corpus: string;
  clients: { id: ClientId; title: string; origin: string; installed: boolean }[];
  cases: string[];
  results: CaseResult[];
  summary: { passed: number; failed: number; cannotRun: number; notInstalled: number };
  /** With --check: why docs/conformance.md's table is not this run's, or null when it is. */
  readmeStale?: string | null;
}
