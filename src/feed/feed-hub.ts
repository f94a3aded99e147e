// The change feeds of this process: one TableFeed per followed table, started by its first
// follower and stopped after its last, so a table nobody follows costs nothing (no watch).
import { QuiverError } from '../errors.ts';
import type { TableStore } from '../storage/table-store.ts';
import { FeedStats } from './feed-stats.ts';
import { TableFeed } from './table-feed.ts';

export class FeedHub {
  private readonly feeds = new Map<string, TableFeed>();
  private closedWith: QuiverError | null = null;
  /** The follow streams' positions and counts, for the metrics. */
  readonly stats = new FeedStats();

  /** `store` is read when a feed starts: the server's store exists only once it has started. */
  constructor(private readonly store: () => TableStore) {}

  /** The table's feed, for one follower; give it back with release(). */
  acquire(table: string): TableFeed {
    if (this.closedWith) throw this.closedWith;
    let feed = this.feeds.get(table);
    if (!feed) {
      const store = this.store();
      feed = new TableFeed(table, store.coordinator, store.reader);
      this.feeds.set(table, feed);
      feed.start();
    }
    feed.users += 1;
    return feed;
  }

  release(feed: TableFeed): void {
    feed.users -= 1;
    if (feed.users > 0 || this.feeds.get(feed.table) !== feed) return;
    feed.stop();
    this.feeds.delete(feed.table);
  }

  /** Followers currently served, by table (the status page, tests). */
  followers(): Record<string, number> {
    return Object.fromEntries([...this.feeds].map(([t, f]) => [t, f.users]));
  }

  /** Ends every follow stream with UNAVAILABLE (each names the version to resume from) and refuses new ones. */
  close(): void {
    this.closedWith = new QuiverError('UNAVAILABLE', 'the server is shutting down');
    for (const feed of this.feeds.values()) feed.close(this.closedWith);
    this.feeds.clear();
  }
}
