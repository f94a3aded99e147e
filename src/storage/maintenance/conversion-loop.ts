// Background conversion on the leader: soon after a DoPut lands Arrow IPC files, rounds of the
// 'convert' maintenance task run until every table is Parquet (or conversion is paused). It
// wakes on each commit this process makes and on a slow timer (a leader elected over tables
// with landed files, a pause lifted), and it runs through the maintenance runner, so conversion
// never overlaps expiry, compaction or orphan collection. start()/stop() follow leadership like
// the periodic schedule (schedule.ts).
import { QuiverError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { StorageObservers } from '../storage-observer.ts';
import type { MaintenanceRunner } from './runner.ts';

/** How often the loop looks for landed files when no commit woke it. */
const IDLE_POLL_MS = 5_000;

export class ConversionLoop {
  private controller: AbortController | null = null;
  private timer: NodeJS.Timeout | undefined;
  private unobserve: (() => void) | null = null;
  private running: Promise<void> | null = null;
  /** Tables committed to since their last round; null entry (ALL) asks for a pass over every table. */
  private readonly dirty = new Set<string | typeof ALL>();
  private wasPaused = false;
  /** Heard after every round that ran (DoPuts waiting for landed bytes to fall look again). */
  readonly progressed = new Set<() => void>();

  constructor(
    private readonly runner: MaintenanceRunner,
    private readonly observers: StorageObservers,
    private readonly paused: () => boolean,
    private readonly log: Logger,
  ) {}

  get active(): boolean {
    return this.controller !== null;
  }

  /** Leadership won: one pass over every table (landed files another leader left), then per commit. */
  start(): void {
    if (this.controller) return;
    this.controller = new AbortController();
    this.unobserve = this.observers.add({
      committed: (e) => {
        if (e.operation !== 'convert') this.wake(e.table);
      },
    });
    // A pause lifted is noticed here: the live setting has no event of its own.
    this.timer = setInterval(() => {
      const paused = this.paused();
      if (this.wasPaused && !paused) this.wake();
      this.wasPaused = paused;
    }, IDLE_POLL_MS);
    this.timer.unref();
    this.wake();
  }

  /** Asks for a round of `table` (all tables when omitted) soon. */
  wake(table?: string): void {
    if (!this.controller) return;
    this.dirty.add(table ?? ALL);
    if (this.paused()) {
      this.wasPaused = true;
      return;
    }
    if (this.running) return;
    const signal = this.controller.signal;
    this.running = this.rounds(signal).finally(() => (this.running = null));
  }

  async stop(): Promise<void> {
    if (!this.controller) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.unobserve?.();
    this.unobserve = null;
    this.controller.abort(new Error('conversion stopped: leadership lost or server shutting down'));
    this.controller = null;
    this.dirty.clear();
    await this.running;
  }

  /** Rounds while some table has landed files left (and conversion is not paused). */
  private async rounds(signal: AbortSignal): Promise<void> {
    while (this.dirty.size > 0 && !signal.aborted && !this.paused()) {
      const all = this.dirty.has(ALL);
      const tables = all ? [undefined] : [...this.dirty] as string[];
      this.dirty.clear();
      for (const table of tables) {
        try {
          const report = await this.runner.run({ ...(table !== undefined ? { table } : {}), tasks: ['convert'], trigger: 'schedule', signal, quiet: true });
          for (const s of report.steps) {
            if (s.task === 'convert' && !('error' in s) && s.result.converted && s.result.remainingFiles > 0) this.dirty.add(s.table);
          }
        } catch (e) {
          if (signal.aborted) return;
          // A table dropped since its commit has nothing left to convert.
          if (e instanceof QuiverError && e.code === 'NOT_FOUND') continue;
          this.log.warn('conversion round failed', { ...(table !== undefined ? { table } : {}), error: e instanceof Error ? e.message : String(e) });
        }
        for (const listener of this.progressed) listener();
      }
    }
  }
}

const ALL = Symbol('all tables');
