// Log entries this replica has seen, kept so that reads of committed versions go on while
// ZooKeeper is unreachable. A log entry never changes once created (a drop starts a new
// generation and a new log), so a remembered entry is never wrong about its generation; while
// ZooKeeper answers, the pointer is read as usual and decides which generation is current.
import type { LogEntry } from '../coordinator.ts';

const MAX_ENTRIES = 100_000;

export class CommittedEntries {
  private readonly entries = new Map<string, LogEntry>();

  remember(table: string, entry: LogEntry): LogEntry {
    const key = `${table}\u0000${entry.version}`;
    if (!this.entries.has(key)) {
      // Oldest first out: Map iterates in insertion order.
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, entry);
    }
    return entry;
  }

  get(table: string, version: number): LogEntry | null {
    return this.entries.get(`${table}\u0000${version}`) ?? null;
  }

  forget(table: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(`${table}\u0000`)) this.entries.delete(key);
  }
}
