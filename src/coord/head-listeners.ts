// The in-process half of Coordinator.watchHead, shared by the coordinators that hear their own
// commits (the local one and the bucket one): listeners per table, told after the commit returns.
import type { LogEntry } from './coordinator.ts';

type HeadListener = (head: LogEntry | null) => void;

export class HeadListeners {
  private readonly byTable = new Map<string, Set<HeadListener>>();

  add(table: string, listener: HeadListener): () => void {
    let set = this.byTable.get(table);
    if (!set) this.byTable.set(table, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.byTable.get(table) === set) this.byTable.delete(table);
    };
  }

  /**
   * Tells the table's listeners on the next turn of the event loop, not inside publish: a
   * listener's work never delays the commit's acknowledgement, and one that throws cannot fail it.
   */
  notify(table: string, head: LogEntry | null): void {
    const set = this.byTable.get(table);
    if (!set || set.size === 0) return;
    setImmediate(() => {
      for (const listener of [...set]) {
        try {
          listener(head);
        } catch {
          // A listener's failure is its own (see the interface): the others still hear.
        }
      }
    });
  }
}
