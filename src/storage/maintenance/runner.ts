// One maintenance run: for each table (or the one asked for) expiry, then compaction, then
// conversion of landed Arrow IPC files to Parquet (a round per table; conversion-loop.ts runs
// rounds as soon as DoPuts land), then orphan collection over the data root. Runs are serialized, so the schedule and the
// `maintenance` action never overlap. A run stops at once when leadership is lost (a fenced
// operation fails, or the schedule aborts it); damage confined to one table is reported and the
// other tables go on. Read-only, set while a run is under way (the flag's live setting), stops
// it at its next step: between tables and tasks, and between the files compaction and orphan
// collection handle (a poll aborts their signal).
import { QuiverError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { validateTableName } from '../../table-names.ts';
import { tableMissing } from '../table-reader.ts';
import type { TableStore } from '../table-store.ts';
import { compactTable, type CompactionOptions, type CompactionResult } from './compaction.ts';
import { convertTable, type ConversionResult, type ConversionSettings } from './conversion.ts';
import { expireTable, type ExpiryResult } from './expiry.ts';
import { collectOrphans, type OrphanGcResult } from './orphan-gc.ts';

export type MaintenanceTask = 'expire' | 'compact' | 'convert' | 'gc';
export const MAINTENANCE_TASKS: readonly MaintenanceTask[] = ['expire', 'compact', 'convert', 'gc'];

export interface MaintenanceSettings {
  retentionMs: number;
  gcGraceMs: number;
  compaction: CompactionOptions;
  /** Pause and rate of conversion (live settings); absent: never paused, no rate limit. */
  conversion?: ConversionSettings;
  /** Until when an endpoint lease of this process keeps a version readable. */
  heldUntil?: (table: string, version: number) => number;
  /**
   * True while the server is read-only. Operators set that to freeze the data root (for a backup
   * or a migration), so maintenance, which commits versions and deletes files, waits too.
   */
  readOnly?: () => boolean;
}

export interface MaintenanceRequest {
  table?: string;
  tasks?: readonly MaintenanceTask[];
  trigger?: 'schedule' | 'action';
  signal?: AbortSignal;
  /**
   * A run that did nothing is neither logged nor reported to the `finished` listeners: the
   * conversion loop runs after every commit, and its empty rounds must not crowd the log.
   */
  quiet?: boolean;
}

export type MaintenanceStep =
  | { task: 'expire'; table: string; result: ExpiryResult }
  | { task: 'compact'; table: string; result: CompactionResult }
  | { task: 'convert'; table: string; result: ConversionResult }
  | { task: 'gc'; table?: string; result: OrphanGcResult }
  | { task: 'expire' | 'compact' | 'convert'; table: string; error: string };

export interface MaintenanceReport {
  trigger: 'schedule' | 'action';
  startedAt: string;
  finishedAt: string;
  tasks: MaintenanceTask[];
  tables: number;
  expiredVersions: number;
  compactedTables: number;
  convertedTables: number;
  deletedFiles: number;
  deletedBytes: number;
  errors: number;
  steps: MaintenanceStep[];
}

export class MaintenanceRunner {
  private tail: Promise<unknown> = Promise.resolve();
  /** Hear of every finished run (metrics, the status page). */
  readonly finished = new Set<(report: MaintenanceReport) => void>();

  constructor(
    private readonly store: TableStore,
    readonly settings: MaintenanceSettings,
    private readonly log: Logger,
  ) {}

  /** Runs after any run in progress; `onStep` hears of each step as it finishes. */
  run(request: MaintenanceRequest = {}, onStep?: (step: MaintenanceStep) => void): Promise<MaintenanceReport> {
    const next = this.tail.then(() => this.runNow(request, onStep)).then((report) => {
      if (request.quiet && !didSomething(report)) return report;
      for (const listener of this.finished) listener(report);
      return report;
    });
    this.tail = next.catch(() => undefined);
    return next;
  }

  private async runNow(request: MaintenanceRequest, onStep?: (step: MaintenanceStep) => void): Promise<MaintenanceReport> {
    const { store, settings } = this;
    const tasks = MAINTENANCE_TASKS.filter((t) => !request.tasks || request.tasks.includes(t));
    const trigger = request.trigger ?? 'action';
    const startedAt = new Date();
    if (settings.readOnly?.()) throw readOnlyRefusal('paused');
    const guard = readOnlyGuard(settings.readOnly, request.signal);
    try {
      return await this.steps(request, tasks, trigger, startedAt, guard, onStep);
    } finally {
      guard.dispose();
    }
  }

  private async steps(request: MaintenanceRequest, tasks: MaintenanceTask[], trigger: 'schedule' | 'action', startedAt: Date, guard: ReadOnlyGuard, onStep?: (step: MaintenanceStep) => void): Promise<MaintenanceReport> {
    const { store, settings } = this;
    const signal = guard.signal;
    await store.coordinator.confirmWriter('run maintenance');
    let tables: string[];
    if (request.table !== undefined) {
      validateTableName(request.table);
      if (!(await store.coordinator.head(request.table))) throw tableMissing(request.table);
      tables = [request.table];
    } else {
      tables = await store.coordinator.tables();
    }
    const steps: MaintenanceStep[] = [];
    const record = (step: MaintenanceStep) => {
      steps.push(step);
      this.logStep(step, trigger);
      onStep?.(step);
    };

    for (const table of tables) {
      if (tasks.includes('expire')) {
        guard.check();
        const outcome = await perTable(() => expireTable(store, table, { retentionMs: settings.retentionMs, now: Date.now(), heldUntil: settings.heldUntil }), signal);
        if (outcome) record('error' in outcome ? { task: 'expire', table, error: outcome.error } : { task: 'expire', table, result: outcome.value });
      }
      if (tasks.includes('compact')) {
        guard.check();
        const outcome = await perTable(() => compactTable(store, table, settings.compaction, signal), signal);
        if (outcome) record('error' in outcome ? { task: 'compact', table, error: outcome.error } : { task: 'compact', table, result: outcome.value });
      }
      if (tasks.includes('convert')) {
        guard.check();
        // The pause holds the background rounds; an operator's `maintenance` action converts anyway.
        const conversion = settings.conversion ?? ALWAYS_CONVERT;
        const live = trigger === 'action' ? { paused: () => false, rateBytes: () => conversion.rateBytes() } : conversion;
        const outcome = await perTable(() => convertTable(store, table, live, signal), signal);
        if (outcome) record('error' in outcome ? { task: 'convert', table, error: outcome.error } : { task: 'convert', table, result: outcome.value });
      }
    }
    if (tasks.includes('gc')) {
      guard.check();
      const result = await collectOrphans(store, { graceMs: settings.gcGraceMs, now: Date.now(), table: request.table, signal });
      record({ task: 'gc', ...(request.table !== undefined ? { table: request.table } : {}), result });
    }

    const report: MaintenanceReport = {
      trigger,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      tasks,
      tables: tables.length,
      expiredVersions: 0,
      compactedTables: 0,
      convertedTables: 0,
      deletedFiles: 0,
      deletedBytes: 0,
      errors: 0,
      steps,
    };
    for (const s of steps) {
      if ('error' in s) report.errors++;
      else if (s.task === 'expire') report.expiredVersions += s.result.expired.length;
      else if (s.task === 'compact') report.compactedTables += s.result.compacted ? 1 : 0;
      else if (s.task === 'convert') report.convertedTables += s.result.converted ? 1 : 0;
      else {
        report.deletedFiles += s.result.deletedFiles;
        report.deletedBytes += s.result.deletedBytes;
        report.errors += s.result.errors.length;
      }
    }
    const { steps: _, ...summary } = report;
    if (!request.quiet || didSomething(report)) this.log.info('maintenance run finished', summary);
    return report;
  }

  private logStep(step: MaintenanceStep, trigger: string): void {
    if ('error' in step) {
      this.log.warn(`maintenance ${step.task} failed`, { table: step.table, error: step.error, trigger });
      return;
    }
    // Quiet when nothing happened, so a periodic loop over many tables does not flood the log.
    if (step.task === 'expire' && step.result.expired.length > 0) this.log.info('expired versions', { table: step.table, versions: step.result.expired, manifests: step.result.manifestsDeleted, released_files: step.result.filesReleased, trigger });
    if (step.task === 'compact' && step.result.compacted) this.log.info('compacted', { table: step.table, ...step.result, trigger });
    if (step.task === 'convert' && step.result.converted) this.log.info('converted to Parquet', { table: step.table, ...step.result, trigger });
    if (step.task === 'gc' && (step.result.deletedFiles > 0 || step.result.deletedDirs > 0 || step.result.errors.length > 0)) {
      const { paths: _, ...counts } = step.result;
      this.log.info('collected orphans', { ...counts, trigger });
    }
  }
}

const POLL_MS = 200;

const didSomething = (r: MaintenanceReport) => r.errors > 0 || r.expiredVersions > 0 || r.compactedTables > 0 || r.convertedTables > 0 || r.deletedFiles > 0;

const ALWAYS_CONVERT: ConversionSettings = { paused: () => false, rateBytes: () => 0 };

const readOnlyRefusal = (how: 'paused' | 'stopped') => new QuiverError('FAILED_PRECONDITION', how === 'paused'
  ? 'maintenance is paused: the server is read-only (setting readOnly), so no version is expired or compacted and no file deleted; lift it to resume'
  : 'maintenance stopped: the server became read-only (setting readOnly) while it ran; steps already reported are done, nothing after them was started', { retriable: false });

interface ReadOnlyGuard {
  /** Aborted by the caller's signal, or once read-only is seen. */
  signal: AbortSignal;
  /** Throws if the run must stop now. */
  check(): void;
  dispose(): void;
}

/** Stops a run at its next step once read-only is set: checked at each step, and polled for the steps inside a task. */
function readOnlyGuard(readOnly: (() => boolean) | undefined, outer: AbortSignal | undefined): ReadOnlyGuard {
  const controller = new AbortController();
  const stopIfReadOnly = () => {
    if (!controller.signal.aborted && readOnly?.()) controller.abort(readOnlyRefusal('stopped'));
  };
  const onOuter = () => controller.abort(outer!.reason);
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  const timer = readOnly ? setInterval(stopIfReadOnly, POLL_MS) : undefined;
  timer?.unref();
  return {
    signal: controller.signal,
    check() {
      stopIfReadOnly();
      controller.signal.throwIfAborted();
    },
    dispose() {
      clearInterval(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}

/**
 * One table's task: a table dropped meanwhile is skipped (undefined), damage is reported as an
 * error step; leadership loss, ZooKeeper trouble and aborts end the run.
 */
async function perTable<T>(run: () => Promise<T>, signal?: AbortSignal): Promise<{ value: T } | { error: string } | undefined> {
  try {
    return { value: await run() };
  } catch (e) {
    if (signal?.aborted) throw e;
    if (e instanceof QuiverError && e.code === 'NOT_FOUND') return undefined;
    if (e instanceof QuiverError && (e.code === 'UNAVAILABLE' || e.code === 'DEADLINE_EXCEEDED' || e.code === 'CANCELLED')) throw e;
    if (e instanceof Error && e.name === 'AbortError') throw e;
    return { error: e instanceof Error ? e.message : String(e) };
  }
}
