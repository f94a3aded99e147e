// Flight SQL plans every query twice: GetFlightInfo plans it (to answer the schema and pin the
// versions) and closes the plan, then DoGet plans it again from the ticket. Between the two the
// plan is parked here, keyed by everything it was built from (the rewritten SQL and the exact
// files of every pinned version), so the DoGet takes the same connection, snapshot views and
// prepared statement instead of building them again: 4-6 round trips into DuckDB per query.
// A plan whose execution ran to its end is parked again, so the same query over the same
// versions (a dashboard's refresh, a client polling) reuses it too: a prepared statement is
// made to be run again, and the key pins exactly the files it reads. Parked plans are few and
// short-lived; whatever is not taken is disposed.

export interface Parkable {
  /** Releases the native handles. */
  dispose(): void;
}

export class ParkedPlans<T extends Parkable> {
  private readonly parked = new Map<string, { value: T; timer: NodeJS.Timeout }>();

  constructor(private readonly max: number, private readonly ttlMs: number) {}

  /** Parks `value` under `key`; one already parked there, or the oldest beyond `max`, is disposed. */
  park(key: string, value: T): void {
    this.drop(key);
    const timer = setTimeout(() => this.drop(key), this.ttlMs).unref();
    this.parked.set(key, { value, timer });
    while (this.parked.size > this.max) this.drop(this.parked.keys().next().value!);
  }

  /** The plan parked under `key`, now the caller's to use and dispose; undefined when none is. */
  take(key: string): T | undefined {
    const entry = this.parked.get(key);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.parked.delete(key);
    return entry.value;
  }

  clear(): void {
    for (const key of [...this.parked.keys()]) this.drop(key);
  }

  private drop(key: string): void {
    const entry = this.parked.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.parked.delete(key);
    entry.value.dispose();
  }
}
