// Per-table commit locks inside one process: a promise chain per table, so commits to one table
// run one at a time in arrival order and commits to different tables never wait for each other.
import type { CommitLock } from '../coordinator.ts';

export class TableLocks {
  private readonly chains = new Map<string, Promise<void>>();

  async lock(table: string): Promise<CommitLock> {
    const previous = this.chains.get(table) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const chained = previous.then(() => current);
    this.chains.set(table, chained);
    await previous;
    return {
      release: async () => {
        release();
        if (this.chains.get(table) === chained) this.chains.delete(table);
      },
    };
  }
}
