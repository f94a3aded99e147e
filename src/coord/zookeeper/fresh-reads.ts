// Read-your-writes for a replica whose ZooKeeper member may lag: before reading a table's head,
// wait for a sync that was sent after the read began. Concurrent readers share syncs: at most
// one is in flight, and everyone who arrives meanwhile waits for the one after it (the one in
// flight may have passed the ensemble's leader before their writes were acknowledged, so it
// proves nothing to them). Under load that is two round trips per reader at most, and one sync
// per round trip for all of them together.
export class FreshReads {
  private inFlight: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(private readonly sync: () => Promise<void>) {}

  /** Resolves once every write acknowledged before this call is visible to this session. */
  barrier(): Promise<void> {
    if (!this.inFlight) return this.start();
    this.queued ??= this.inFlight.catch(() => undefined).then(() => {
      this.queued = null;
      return this.start();
    });
    return this.queued;
  }

  private start(): Promise<void> {
    const sync = this.sync().finally(() => {
      if (this.inFlight === sync) this.inFlight = null;
    });
    this.inFlight = sync;
    return sync;
  }
}
