// Where a commit's wall time goes, for bench/cluster-commits.ts --trace: with the environment
// variable QUIVER_COMMIT_TRACE naming a file, each write (DoPut or SQL ingest) and each group
// the commit path publishes appends one JSON line of stage times (milliseconds since it
// started) to it. Off, every call here is a no-op. Lines are flushed once a second and not at
// exit: the benchmark kills its servers, and a lost last second does not change a median.
import fs from 'node:fs';

const FILE = process.env.QUIVER_COMMIT_TRACE;

/** A span of named stages, each the time since the span started. */
export interface TraceSpan {
  mark(stage: string): void;
  set(field: string, value: number): void;
  end(): void;
}

const NONE: TraceSpan = { mark: () => undefined, set: () => undefined, end: () => undefined };

let lines: string[] = [];
if (FILE) {
  setInterval(() => {
    if (lines.length === 0) return;
    const out = lines.join('');
    lines = [];
    fs.appendFileSync(FILE, out);
  }, 1000).unref();
}

/** Starts a span of `kind` ('write' or 'group'); a no-op span unless tracing is on. */
export function traceSpan(kind: string): TraceSpan {
  if (!FILE) return NONE;
  const start = performance.now();
  const record: Record<string, number | string> = { kind };
  return {
    mark: (stage) => {
      record[stage] = Math.round((performance.now() - start) * 100) / 100;
    },
    set: (field, value) => {
      record[field] = value;
    },
    end: () => {
      record.total = Math.round((performance.now() - start) * 100) / 100;
      lines.push(`${JSON.stringify(record)}\n`);
    },
  };
}
