// Bounds how many queries run in DuckDB at once: a few more may wait in a short queue; beyond
// that a query gets UNAVAILABLE (retriable) at once instead of piling up memory and latency.
// The bound is read at each admission, so a live setting can change it while queries run.
import { QuiverError } from '../../errors.ts';

export class QueryGate {
  private running = 0;
  private readonly waiting: { grant: () => void }[] = [];

  /** `maxRunning` is read at every admission; at most twice as many more may wait. */
  constructor(private readonly maxRunning: () => number) {}

  /** Waits for a slot; the returned function gives it back (call it exactly once). */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw new QuiverError('CANCELLED', 'the query was cancelled before it started');
    if (this.running < Math.max(1, this.maxRunning())) {
      this.running++;
      return this.releaser();
    }
    if (this.waiting.length >= 2 * Math.max(1, this.maxRunning())) {
      throw new QuiverError('UNAVAILABLE', `the server is running ${this.running} SQL queries and ${this.waiting.length} more are waiting; try again shortly`);
    }
    await new Promise<void>((resolve, reject) => {
      const entry = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new QuiverError('CANCELLED', 'the query was cancelled while waiting to start'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.running--;
      // Hands the freed slot on; when the bound was raised meanwhile, more than one.
      while (this.waiting.length > 0 && this.running < Math.max(1, this.maxRunning())) {
        this.running++;
        this.waiting.shift()!.grant();
      }
    };
  }
}
