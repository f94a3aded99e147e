// What the change feed of this process is doing, for the metrics (src/server/metrics): the
// follow streams open, the versions they sent, and how far behind the head each one is. Read
// when scraped; the streams keep their own position, so this only points at them.

/** One open follow stream, as the metrics see it. */
export interface FollowerPosition {
  /** The first version it has not sent yet. */
  readonly next: number;
  /** The newest version this process knows to be committed in its table. */
  readonly head: number;
}

export class FeedStats {
  private readonly streams = new Set<FollowerPosition>();
  /** Versions sent (each marker), by every follow stream of this process. */
  versionsSent = 0;

  opened(stream: FollowerPosition): void {
    this.streams.add(stream);
  }

  closed(stream: FollowerPosition): void {
    this.streams.delete(stream);
  }

  /** Follow streams open now (a long poll is not one). */
  get followers(): number {
    return this.streams.size;
  }

  /** Committed versions not yet sent, by the follower furthest behind (0 with none). */
  get maxLag(): number {
    let lag = 0;
    for (const s of this.streams) lag = Math.max(lag, s.head - (s.next - 1));
    return lag;
  }

  /** Committed versions not yet sent, summed over every follower. */
  get totalLag(): number {
    let lag = 0;
    for (const s of this.streams) lag += Math.max(0, s.head - (s.next - 1));
    return lag;
  }
}
