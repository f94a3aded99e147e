// `quiver maintain [TABLE]`: runs the leader's maintenance now (the maintenance action) and
// prints each step as the server finishes it, then a summary.
import { AdminClient, MAINTENANCE_TASKS, type MaintenanceReport, type MaintenanceStep, type MaintenanceTask } from '../client/index.ts';
import { command, UsageError } from './command.ts';
import { withClient } from './connection.ts';
import { bytes, count } from './format.ts';

const TASKS: readonly string[] = MAINTENANCE_TASKS;

export const maintain = command({
  name: 'maintain',
  synopsis: '[TABLE] [options]',
  description: 'Runs maintenance now on the server that leads: expires versions superseded longer than the retention period ago, compacts tables with many small files, deletes unreferenced files older than the GC grace period. Without TABLE, every table. Prints each step as it finishes.',
  positionals: [0, 1],
  options: {
    tasks: { type: 'string', value: 'LIST', help: `comma-separated subset of ${TASKS.join(',')} (default: all)` },
    json: { type: 'boolean', help: 'the action\'s JSON results as they are, one per line' },
  },
  async run({ values, positionals }) {
    const tasks = typeof values.tasks === 'string' ? values.tasks.split(',').map((t) => t.trim()).filter(Boolean) : undefined;
    const unknown = tasks?.find((t) => !TASKS.includes(t));
    if (unknown !== undefined || tasks?.length === 0) throw new UsageError(`--tasks takes a comma-separated subset of ${TASKS.join(',')}${unknown ? `, not ${JSON.stringify(unknown)}` : ''}`);
    const request = { ...(positionals[0] !== undefined ? { table: positionals[0] } : {}), ...(tasks ? { tasks: tasks as MaintenanceTask[] } : {}) };
    await withClient(values, async (client) => {
      for await (const result of new AdminClient(client).maintenance(request)) {
        if (values.json) console.log(JSON.stringify(result));
        else if ('step' in result) console.log(describeStep(result.step));
        else console.log(describeReport(result.report));
      }
    });
  },
});

function describeStep(s: MaintenanceStep): string {
  const where = s.table !== undefined ? `${s.table}: ` : '';
  if ('error' in s) return `${where}${s.task} failed: ${s.error}`;
  switch (s.task) {
    case 'expire': {
      const r = s.result;
      if (r.expired.length === 0) return `${where}nothing to expire${r.kept ? ` (version ${r.kept.version} is kept until ${new Date(r.kept.until).toISOString()} by its ${r.kept.reason})` : ''}`;
      return `${where}expired ${versionList(r.expired)}; ${r.manifests_deleted} manifests deleted, ${r.files_released} data files left to orphan collection`;
    }
    case 'compact': {
      const r = s.result;
      if (!r.compacted) return `${where}not compacted: ${r.reason}`;
      return `${where}compacted ${r.files_rewritten} files into ${r.files_written} as version ${r.version}${r.rebased ? ` (rebased onto writes after version ${r.base_version})` : ''}; ${r.files_after} files now`;
    }
    case 'convert': {
      const r = s.result;
      const left = r.remaining_files > 0 ? `; still Arrow IPC: ${count(r.remaining_files)} files (${bytes(r.remaining_bytes)})` : '; all Parquet now';
      if (!r.converted) return `${where}not converted: ${r.reason}${r.remaining_files > 0 ? left : ''}`;
      return `${where}converted ${r.files_converted} Arrow IPC files (${bytes(r.arrow_bytes)}) into ${r.files_written} Parquet files as version ${r.version} in ${r.seconds.toFixed(1)} s${r.rebased ? ` (rebased onto writes after version ${r.base_version})` : ''}${left}`;
    }
    default: {
      const r = s.result;
      return `${where}orphan collection: deleted ${count(r.deleted_files)} files (${bytes(r.deleted_bytes)}) and ${r.deleted_dirs} dropped-table leftovers; kept ${count(r.young_kept)} younger than the grace period${r.errors.length > 0 ? `; ${r.errors.length} tables skipped: ${r.errors.map((e) => `${e.table}: ${e.error}`).join('; ')}` : ''}`;
    }
  }
}

function describeReport(r: MaintenanceReport): string {
  const ms = Date.parse(r.finished_at) - Date.parse(r.started_at);
  return `maintenance done in ${(ms / 1000).toFixed(2)} s: ${count(r.tables)} tables, ${count(r.expired_versions)} versions expired, ${count(r.compacted_tables)} tables compacted, ${count(r.converted_tables ?? 0)} converted, ${count(r.deleted_files)} files deleted (${bytes(r.deleted_bytes)}), ${r.errors} errors`;
}

function versionList(v: number[]): string {
  if (v.length === 1) return `version ${v[0]}`;
  const contiguous = v.every((x, i) => i === 0 || x === v[i - 1]! + 1);
  return contiguous ? `versions ${v[0]}-${v.at(-1)}` : `versions ${v.join(', ')}`;
}
