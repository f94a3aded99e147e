// The DoGets of SQL tickets running on this server, so that CancelFlightInfo (and the older
// CancelQuery action) can interrupt them: each registers an AbortController under its ticket,
// and a cancelled ticket stays refused for a while, so a DoGet that starts after the cancel
// does not run the query anyway.
import { QuiverError } from '../errors.ts';

const REFUSED_MS = 10 * 60 * 1000;

export class RunningQueries {
  private readonly running = new Map<string, Set<AbortController>>();
  private readonly cancelled = new Map<string, number>();

  /** A signal that aborts when the call's own signal does or the ticket is cancelled; call done() at the end. */
  start(ticket: Uint8Array, callSignal: AbortSignal): { signal: AbortSignal; done(): void } {
    const key = Buffer.from(ticket).toString('base64');
    this.prune();
    if (this.cancelled.has(key)) throw new QuiverError('CANCELLED', 'this query was cancelled with CancelFlightInfo; run it again');
    const controller = new AbortController();
    const onCall = () => controller.abort(callSignal.reason);
    callSignal.addEventListener('abort', onCall, { once: true });
    let set = this.running.get(key);
    if (!set) this.running.set(key, (set = new Set()));
    set.add(controller);
    return {
      signal: controller.signal,
      done: () => {
        callSignal.removeEventListener('abort', onCall);
        set!.delete(controller);
        if (set!.size === 0) this.running.delete(key);
      },
    };
  }

  /** Interrupts every DoGet of `ticket` and refuses later ones; true when one was running. */
  cancel(ticket: Uint8Array): boolean {
    const key = Buffer.from(ticket).toString('base64');
    this.cancelled.set(key, Date.now() + REFUSED_MS);
    const set = this.running.get(key);
    for (const c of set ?? []) c.abort(new QuiverError('CANCELLED', 'the query was cancelled with CancelFlightInfo'));
    return (set?.size ?? 0) > 0;
  }

  private prune(): void {
    const now = Date.now();
    for (const [k, until] of this.cancelled) if (until < now) this.cancelled.delete(k);
  }
}
