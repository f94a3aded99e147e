// What the change feed of this process is doing, for the metrics (src/server/metrics): the
// follow streams open, the versions they sent, how far behind the head each one is and the
// bytes each has queued in grpc (bounded: src/feed/follow-stream.ts). Read
// when scraped; the streams keep their own position, so this only points at them.

/** One open follow stream, as the metrics see it. */
export interface FollowerPosition {
  /** The first version it has not sent yet. */
  readonly next: number;
  /** The newest version this process knows to be committed in its table. */
  readonly head: number;
  /** Bytes of messages handed to grpc and not yet flushed to HTTP/2 (the stream's own count). */
  readonly queuedBytes: number;
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

  /** Bytes handed to grpc by the follow streams and not yet flushed, summed over all of them. */
  get queuedBytes(): number {
    let bytes = 0;
    for (const s of this.streams) bytes += s.queuedBytes;
    return bytes;
  }

  /** The most any one follow stream has queued now. */
  get maxQueuedBytes(): number {
    let bytes = 0;
    for (const s of this.streams) bytes = Math.max(bytes, s.queuedBytes);
    return bytes;
  }

  /** Committed versions not yet sent, summed over every follower. */
  get totalLag(): number {
    let lag = 0;
    for (const s of this.streams) lag += Math.max(0, s.head - (s.next - 1));
    return lag;
  }
}
