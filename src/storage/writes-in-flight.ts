// The writes this process has under way, per table, by start time. Until a write is committed or
// aborted, its files (staged data, an import's copies, a manifest between its write and its
// publish) are referenced by no version, so orphan collection would see them as orphans. The
// grace period alone protected them, which a write slower than the grace period outlives; this
// registry lets collection spare every file written since the oldest write still in flight.
// It is enough in a cluster too: only the leader writes, and only the leader collects.

import { tableDirName } from '../table-names.ts';

// mtimes and Date.now() come from the same clock, but a filesystem may round mtimes down.
const CLOCK_SLACK_MS = 2_000;

export class WritesInFlight {
  /** By table directory name: collection also meets directories of tables not yet committed. */
  private readonly starts = new Map<string, Map<symbol, number>>();

  /** Registers a write to `table` that starts now; call the result when it ends, however. */
  begin(table: string): () => void {
    const key = tableDirName(table);
    const id = Symbol(table);
    let writes = this.starts.get(key);
    if (!writes) this.starts.set(key, (writes = new Map()));
    writes.set(id, Date.now() - CLOCK_SLACK_MS);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      writes.delete(id);
      if (writes.size === 0 && this.starts.get(key) === writes) this.starts.delete(key);
    };
  }

  /** Files in table directory `dirName` modified at or after this instant may belong to a write under way. */
  since(dirName: string): number {
    const writes = this.starts.get(dirName);
    return writes && writes.size > 0 ? Math.min(...writes.values()) : Infinity;
  }
}
