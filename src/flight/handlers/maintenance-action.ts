// The `maintenance` action: runs expiry, compaction and orphan collection now, on the leader,
// and streams one JSON result per finished step (so a client can show progress) and the report
// last. The request and result shapes are src/wire/admin-actions.ts.
import { QuiverError } from '../../errors.ts';
import type { MaintenanceReport, MaintenanceStep } from '../../storage/maintenance/runner.ts';
import { decodeMaintenanceRequest, encodeActionBody, snakeCaseKeys, type MaintenanceResult } from '../../wire/admin-actions.ts';
import type { FlightContext } from '../context.ts';
import type { CallInfo } from '../handler-kit.ts';

export const MAINTENANCE_DESCRIPTION = `Run maintenance now on the leader: expire versions superseded longer than the retention period ago, compact tables whose current version has many small files, delete unreferenced files older than the GC grace period. Body: empty, or JSON {"table": "name", "tasks": ["expire", "compact", "gc"]} (both optional). Results: one JSON {"step": ...} per table and task as it finishes, then {"report": ...}.`;

export async function* runMaintenanceAction(ctx: FlightContext, body: Uint8Array, info: CallInfo): AsyncGenerator<Uint8Array> {
  const request = decodeMaintenanceRequest(body);
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
    yield result({ step: pending.shift()! });
  }
  yield result({ report: await run });
}

// The runner's objects are camelCase; `satisfies` checks that their snake_case form is the wire's
// MaintenanceResult, so a field added to the runner must be added to the wire type too.
const result = (value: { step: MaintenanceStep } | { report: MaintenanceReport }) => encodeActionBody(snakeCaseKeys(value) satisfies MaintenanceResult);
