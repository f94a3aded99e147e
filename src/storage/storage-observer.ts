// What storage tells whoever watches it (metrics, the status page) without knowing who that is:
// one observer per store, called synchronously at the few points where something worth
// counting happens. Observers must not throw and must not block.
export interface CommitEvent {
  table: string;
  version: number;
  operation: string;
  /** Rows and Arrow bytes this commit added. */
  rows: number;
  bytes: number;
  /** From asking for the table's lock to the published version, in seconds. */
  seconds: number;
  committedAt: string;
}

export type CommitFailure = 'conflict' | 'unknown_outcome' | 'other';

export interface StorageObserver {
  committed?(event: CommitEvent): void;
  commitFailed?(reason: CommitFailure): void;
}

/** The observers of one store; a store starts with none. */
export class StorageObservers implements Required<StorageObserver> {
  private readonly list = new Set<StorageObserver>();

  add(observer: StorageObserver): () => void {
    this.list.add(observer);
    return () => this.list.delete(observer);
  }

  committed(event: CommitEvent): void {
    for (const o of this.list) o.committed?.(event);
  }

  commitFailed(reason: CommitFailure): void {
    for (const o of this.list) o.commitFailed?.(reason);
  }
}
