// Bounds how many queries run in DuckDB at once: a few more may wait in a short queue; beyond
// that a query gets UNAVAILABLE (retriable) at once instead of piling up memory and latency.
import { QuiverError } from '../../errors.ts';

export class QueryGate {
  private running = 0;
  private readonly waiting: { grant: () => void }[] = [];

  constructor(private readonly maxRunning: number, private readonly maxWaiting: number) {}

  /** Waits for a slot; the returned function gives it back (call it exactly once). */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw new QuiverError('CANCELLED', 'the query was cancelled before it started');
    if (this.running < this.maxRunning) {
      this.running++;
      return this.releaser();
    }
    if (this.waiting.length >= this.maxWaiting) {
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
      const next = this.waiting.shift();
      if (next) next.grant();
      else this.running--;
    };
  }
}
