// The periodic maintenance loop of the process that leads (the only process in local mode).
// start() when leadership is won, stop() when it is lost or the server shuts down: stop aborts a
// run in progress between steps (its fenced operations would fail anyway) and waits for it.
import type { Logger } from '../../logger.ts';
import type { MaintenanceRunner } from './runner.ts';

export class MaintenanceSchedule {
  private timer: NodeJS.Timeout | undefined;
  private controller: AbortController | null = null;
  private running: Promise<void> | null = null;
  /** Loops that run when this schedule does (the leader's): the conversion loop. */
  private readonly companions: { start(): void; stop(): Promise<void> }[] = [];

  constructor(
    private readonly runner: MaintenanceRunner,
    readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  get active(): boolean {
    return this.timer !== undefined;
  }

  /** Starts and stops `loop` with this schedule (it follows leadership the same way). */
  also(loop: { start(): void; stop(): Promise<void> }): void {
    this.companions.push(loop);
  }

  /** The first run comes one interval after start, so a fresh leader settles first. */
  start(): void {
    for (const c of this.companions) c.start();
    if (this.intervalMs <= 0 || this.timer) return;
    this.controller = new AbortController();
    const signal = this.controller.signal;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.runner.run({ trigger: 'schedule', signal }).then(() => undefined, (e: unknown) => {
        if (!signal.aborted) this.log.warn('maintenance run failed', { error: e instanceof Error ? e.message : String(e) });
      }).finally(() => (this.running = null));
    }, this.intervalMs);
    this.timer.unref();
    this.log.info('maintenance schedule started', { intervalMs: this.intervalMs });
  }

  async stop(): Promise<void> {
    await Promise.all(this.companions.map((c) => c.stop()));
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.controller?.abort(new Error('maintenance stopped: leadership lost or server shutting down'));
    this.controller = null;
    await this.running;
    this.log.info('maintenance schedule stopped');
  }
}
