// The `maintenance` action: runs expiry, compaction and orphan collection now, on the leader,
// and streams one JSON result per finished step (so a client can show progress) and the report
// last. Keys are snake_case like the other actions' JSON.
import { invalidArgument, QuiverError } from '../../errors.ts';
import { MAINTENANCE_TASKS, type MaintenanceStep, type MaintenanceTask } from '../../storage/maintenance/runner.ts';
import type { FlightContext } from '../context.ts';
import type { CallInfo } from '../handler-kit.ts';

const USAGE = `maintenance takes an empty body or JSON such as {"table": "name", "tasks": [${MAINTENANCE_TASKS.map((t) => `"${t}"`).join(', ')}]}`;

export const MAINTENANCE_DESCRIPTION = `Run maintenance now on the leader: expire versions superseded longer than the retention period ago, compact tables whose current version has many small files, delete unreferenced files older than the GC grace period. Body: empty, or JSON {"table": "name", "tasks": ["expire", "compact", "gc"]} (both optional). Results: one JSON {"step": ...} per table and task as it finishes, then {"report": ...}.`;

function parseRequest(body: Uint8Array): { table?: string; tasks?: MaintenanceTask[] } {
  const text = Buffer.from(body).toString('utf8').trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidArgument(USAGE);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidArgument(USAGE);
  const { table, tasks, ...rest } = parsed as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw invalidArgument(`unknown field ${JSON.stringify(Object.keys(rest)[0])}; ${USAGE}`);
  if (table !== undefined && typeof table !== 'string') throw invalidArgument(`"table" must be a string; ${USAGE}`);
  if (tasks !== undefined && (!Array.isArray(tasks) || tasks.length === 0 || !tasks.every((t) => MAINTENANCE_TASKS.includes(t as MaintenanceTask)))) {
    throw invalidArgument(`"tasks" must be a non-empty list of ${MAINTENANCE_TASKS.join(', ')}; ${USAGE}`);
  }
  return { ...(table !== undefined ? { table } : {}), ...(tasks ? { tasks: tasks as MaintenanceTask[] } : {}) };
}

export async function* runMaintenanceAction(ctx: FlightContext, body: Uint8Array, info: CallInfo): AsyncGenerator<Uint8Array> {
  const request = parseRequest(body);
  if (!ctx.maintenance) throw new QuiverError('UNIMPLEMENTED', 'this server has no maintenance runner');
  const pending: MaintenanceStep[] = [];
  let wake: (() => void) | null = null;
  const run = ctx.maintenance.run({ ...request, trigger: 'action', signal: info.signal }, (step) => {
    pending.push(step);
    wake?.();
  });
  let done = false;
  run.then(() => (done = true), () => (done = true)).finally(() => wake?.());
  ctx.log.info('maintenance requested', { ...request, user: info.identity.user });
  while (!done || pending.length > 0) {
    if (pending.length === 0) {
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      continue;
    }
    yield json({ step: pending.shift() });
  }
  yield json({ report: await run });
}

const json = (value: unknown) => Buffer.from(JSON.stringify(snakeKeys(value)));

function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeKeys(v)]));
}
