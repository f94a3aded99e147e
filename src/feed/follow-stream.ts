// The DoGet of a follow ticket: the schema of the first version sent, then for each version from
// the ticket's on, in commit order, its marker (src/wire/follow-marker.ts) and the rows it
// changed: an append its new files' batches, a create or an overwrite the whole version, a
// compaction nothing. It waits for the next commit on the table's feed (no polling) and ends
// only when the client cancels, the table is dropped (NOT_FOUND), the next version has expired
// (NOT_FOUND naming the oldest retained), an overwrite replaced the schema (FAILED_PRECONDITION:
// one Arrow stream has one schema), or the server shuts down (UNAVAILABLE). Every error names the
// version to resume from.
//
// Backpressure: the generator reads the next version only when asked for a message, and it is
// asked only while the stream has room. The handler kit waits for grpc-js's 'drain' (16 messages
// queued), and the stream itself counts the bytes it handed over and grpc has not flushed to
// HTTP/2 yet (flow control holds them while the client does not read; CallInfo.onFlushed) and
// hands over nothing more while they reach FOLLOW_QUEUE_BYTES. So a follower whose client reads
// slowly, or not at all, holds at most FOLLOW_QUEUE_BYTES plus one message on the server, however
// many versions it is behind; the gauge quiver_follow_queued_bytes shows it.
import type { LogEntry } from '../coord/coordinator.ts';
import { QuiverError, notFound } from '../errors.ts';
import type { FlightContext } from '../flight/context.ts';
import type { CallInfo } from '../flight/handler-kit.ts';
import { projectedSchema } from '../flight/read-plan.ts';
import type { DataFile, Manifest } from '../storage/manifest.ts';
import { prebuiltFlightData, type FlightDataMessage } from '../wire/flight-data.ts';
import { encodeVersionMarker, type FollowOperation } from '../wire/follow-marker.ts';
import type { FeedHub } from './feed-hub.ts';
import type { FeedStats, FollowerPosition } from './feed-stats.ts';
import type { FollowTicket } from './follow-request.ts';
import type { FeedVersion, TableFeed } from './table-feed.ts';

const EMPTY = new Uint8Array(0);

/**
 * Bytes one follow stream may have queued in grpc (handed over, not yet let out by HTTP/2 flow
 * control) before it waits: a few batches, enough that a reading client is never kept waiting
 * by it (the client's own 16 MiB window is the bound that matters there), small enough that a
 * thousand stalled followers hold about a GiB at most.
 */
export const FOLLOW_QUEUE_BYTES = 1024 * 1024;

/** What a message costs while queued: grpc-js copies it into one buffer of its encoded size. */
const messageBytes = (m: FlightDataMessage) => m.header.byteLength + m.body.byteLength + (m.appMetadata?.byteLength ?? 0) + 16;

/**
 * What of a version a follower receives: the files whose batches follow its marker, and their
 * rows. Only the operations that change rows send any; every other one is maintenance that
 * rewrites files under the same rows (compact, convert, and any added later), so its marker
 * comes alone: sending its files again would repeat rows the follower already has.
 */
export function versionChange(m: Manifest): { files: DataFile[]; rows: number } {
  switch (m.operation as string) {
    case 'append':
      // writePlan (src/storage/commit.ts) keeps the parent's files first and adds the new ones last.
      return { files: m.files.slice(m.files.length - m.added.files), rows: m.added.rows };
    case 'create':
    case 'overwrite':
      return { files: m.files, rows: m.rows };
    default:
      return { files: [], rows: 0 };
  }
}

export const droppedError = (table: string, next: number) =>
  notFound(`table ${JSON.stringify(table)} was dropped; the follow ended before version ${next}`);

export async function expiredVersionError(ctx: FlightContext, table: string, version: number): Promise<QuiverError> {
  const oldest = (await ctx.store.coordinator.entries(table))[0]?.version;
  return notFound(`version ${version} of table ${JSON.stringify(table)} has expired; the oldest retained version is ${oldest ?? 'none'}: follow again with "from_version": ${oldest ?? 1} or later`);
}

export async function* followStream(ctx: FlightContext, hub: FeedHub, ticket: FollowTicket, info: CallInfo): AsyncGenerator<FlightDataMessage> {
  const feed = hub.acquire(ticket.table);
  const follower = new Follower(ctx, feed, ticket, hub.stats);
  info.onFlushed = () => follower.flushed();
  hub.stats.opened(follower);
  try {
    yield* follower.run(info.signal);
  } catch (e) {
    if (info.signal.aborted) return;
    throw e;
  } finally {
    hub.stats.closed(follower);
    hub.release(feed);
  }
}

class Follower implements FollowerPosition {
  next: number;
  /** The newest version known to be committed. */
  private known = 0;
  private schema = '';
  /** Sizes of the messages handed to grpc and not flushed yet, oldest first (they flush in order). */
  private readonly unflushed: number[] = [];
  queuedBytes = 0;
  private roomMade: (() => void) | null = null;

  constructor(
    private readonly ctx: FlightContext,
    private readonly feed: TableFeed,
    private readonly ticket: FollowTicket,
    private readonly stats: FeedStats,
  ) {
    this.next = ticket.from;
  }

  /** For the lag metric: the newest version known here, from this stream or its feed. */
  get head(): number {
    return Math.max(this.known, this.feed.head?.version ?? 0);
  }

  async *run(signal: AbortSignal): AsyncGenerator<FlightDataMessage> {
    const { table } = this.ticket;
    // The generation is taken before the head is read: a commit landing in between wakes the wait below.
    let seen = this.feed.generation;
    await this.confirmHead();
    const first = await this.read(Math.min(this.next, this.known));
    this.schema = first.manifest.schema;
    yield this.handOver({ header: projectedSchema(first.manifest, this.ticket.columns), body: EMPTY });
    for (;;) {
      while (this.next <= this.known) {
        if (signal.aborted) return;
        const v = await this.read(this.next);
        if (v.manifest.schema !== this.schema) {
          throw new QuiverError('FAILED_PRECONDITION', `version ${this.next} of table ${JSON.stringify(table)} (an ${v.manifest.operation}) replaced the table's schema, and one Arrow stream has one schema: follow again with "from_version": ${this.next}`);
        }
        const change = versionChange(v.manifest);
        // One marker message per version, shared by every follower of the table (as its frames are).
        v.marker ??= prebuiltFlightData({ header: EMPTY, body: EMPTY, appMetadata: encodeVersionMarker({ table, version: this.next, operation: v.manifest.operation as FollowOperation, committed_at: v.manifest.committedAt, rows: change.rows }) });
        await this.room(signal);
        yield this.handOver(v.marker);
        this.stats.versionsSent += 1;
        if (change.files.length > 0) {
          const frames = this.feed.frames(v.manifest, change.files, this.ticket.columns);
          try {
            for await (const frame of frames) {
              await this.room(signal);
              if (signal.aborted) return;
              // The frame object itself: a copy would lose its one shared encoding.
              yield this.handOver(frame);
            }
          } finally {
            await frames.return(undefined);
          }
        }
        this.next += 1;
        if (this.ticket.until !== undefined && this.next > this.ticket.until) return;
      }
      try {
        await this.feed.changedSince(seen, signal);
      } catch (e) {
        if (signal.aborted) return;
        if (e instanceof QuiverError && e.code === 'UNAVAILABLE') throw new QuiverError('UNAVAILABLE', `${e.message}: follow again with "from_version": ${this.next}`, { cause: e });
        throw e;
      }
      seen = this.feed.generation;
      await this.heard(this.feed.head);
    }
  }

  /** grpc flushed the oldest message handed over (CallInfo.onFlushed). */
  flushed(): void {
    this.queuedBytes -= this.unflushed.shift() ?? 0;
    if (this.queuedBytes < FOLLOW_QUEUE_BYTES) this.roomMade?.();
  }

  private handOver(m: FlightDataMessage): FlightDataMessage {
    const bytes = messageBytes(m);
    this.unflushed.push(bytes);
    this.queuedBytes += bytes;
    return m;
  }

  /** Waits while FOLLOW_QUEUE_BYTES or more are queued, until grpc flushes some or the call ends. */
  private async room(signal: AbortSignal): Promise<void> {
    while (this.queuedBytes >= FOLLOW_QUEUE_BYTES && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.roomMade = null;
          signal.removeEventListener('abort', done);
          resolve();
        };
        this.roomMade = done;
        signal.addEventListener('abort', done);
      });
    }
  }

  /** What a notification said; a drop, or a head older than ours, is confirmed by a fresh read first. */
  private async heard(head: LogEntry | null | undefined): Promise<void> {
    if (head === undefined) return;
    const suspicious = head === null || head.version < this.known || (head.catalog !== undefined && head.catalog.tableId !== this.ticket.tableId);
    if (suspicious) await this.confirmHead();
    else this.known = Math.max(this.known, head.version);
  }

  /** Reads the head afresh (in a cluster: after a sync), ending the follow when the table is gone. */
  private async confirmHead(): Promise<void> {
    const head = await this.ctx.store.coordinator.head(this.ticket.table);
    if (!head || head.version < this.next - 1 || (head.catalog && head.catalog.tableId !== this.ticket.tableId)) throw droppedError(this.ticket.table, this.next);
    this.known = Math.max(this.known, head.version);
  }

  /** Version `v`, known committed: from the feed, or the reason it cannot be had. */
  private async read(v: number): Promise<FeedVersion> {
    let found: FeedVersion | null;
    try {
      found = await this.feed.version(v);
    } catch (e) {
      // The manifest went between reading the entry and the file: expired (or dropped) just now.
      if (!(e instanceof QuiverError && e.code === 'NOT_FOUND')) throw e;
      found = null;
    }
    if (!found) {
      await this.confirmHead();
      throw await expiredVersionError(this.ctx, this.ticket.table, v);
    }
    if (found.manifest.tableId !== this.ticket.tableId) throw droppedError(this.ticket.table, this.next);
    return found;
  }
}
