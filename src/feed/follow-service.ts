// The change feed as the Flight handlers see it: GetFlightInfo and PollFlightInfo on a follow
// descriptor, DoGet on a follow ticket (src/flight/handlers hand them over, as they do Flight
// SQL's commands). Protocol and guarantees: docs/follow.md.
import { invalidArgument } from '../errors.ts';
import type { FlightContext } from '../flight/context.ts';
import type { DescriptorLike } from '../flight/descriptors.ts';
import type { CallInfo } from '../flight/handler-kit.ts';
import { encapsulatedSchema, projectedSchema } from '../flight/read-plan.ts';
import type { Manifest } from '../storage/manifest.ts';
import type { FlightDataMessage } from '../wire/flight-data.ts';
import type { FlightDescriptor, FlightInfo, PollInfo } from '../wire/protocol.ts';
import { FeedHub } from './feed-hub.ts';
import { decodeFollowTicket, encodeFollowTicket, followDescriptor, followRequest, isFollowDescriptor, isFollowTicket, type FollowRequest, type FollowTicket } from './follow-request.ts';
import { droppedError, expiredVersionError, followStream } from './follow-stream.ts';

/** How long one PollFlightInfo waits for the next version unless the descriptor says (wait_ms). */
export const DEFAULT_POLL_WAIT_MS = 20_000;

export class FollowService {
  readonly hub: FeedHub;

  constructor(private readonly ctx: FlightContext) {
    this.hub = new FeedHub(() => ctx.store);
  }

  isFollow(d: DescriptorLike | null | undefined): boolean {
    return isFollowDescriptor(d);
  }

  isTicket(bytes: Uint8Array): boolean {
    return isFollowTicket(bytes);
  }

  /** One endpoint, served by any replica, whose DoGet follows the table from the request's version on. */
  async flightInfo(d: DescriptorLike & FlightDescriptor): Promise<FlightInfo> {
    const req = followRequest(d);
    const start = await this.start(req);
    return this.info(d, start.first, { table: req.table, tableId: start.first.tableId, from: start.from, ...(req.columns ? { columns: req.columns } : {}) }, start.head);
  }

  /**
   * A long poll: answers once a version at or after the request's from_version is committed
   * (an endpoint covering every version committed from there, and the descriptor that polls for
   * the one after), or after wait_ms with no endpoint and the descriptor to poll again with.
   */
  async pollInfo(d: DescriptorLike & FlightDescriptor, info: CallInfo): Promise<PollInfo> {
    const req = followRequest(d);
    let start = await this.start(req);
    if (start.from > start.head.version) {
      const feed = this.hub.acquire(req.table);
      try {
        const deadline = AbortSignal.any([info.signal, AbortSignal.timeout(req.waitMs ?? DEFAULT_POLL_WAIT_MS)]);
        for (;;) {
          // The generation is taken before the head is read (not the feed's last notification:
          // a commit between start() and acquire() notified nobody), so no commit slips between.
          const seen = feed.generation;
          const head = await this.ctx.store.coordinator.head(req.table);
          if (head === null || head.version >= start.from) break;
          try {
            await feed.changedSince(seen, deadline);
          } catch (e) {
            if (info.signal.aborted) throw e;
            if (deadline.aborted) break;
            throw e;
          }
        }
      } finally {
        this.hub.release(feed);
      }
      start = await this.start({ ...req, fromVersion: start.from });
    }
    if (start.from > start.head.version) {
      return { info: this.infoWithout(d, start.head, req.columns), flight_descriptor: followDescriptor(req, start.from) };
    }
    const ticket: FollowTicket = { table: req.table, tableId: start.first.tableId, from: start.from, until: start.head.version, ...(req.columns ? { columns: req.columns } : {}) };
    return { info: await this.info(d, start.first, ticket, start.head), flight_descriptor: followDescriptor(req, start.head.version + 1) };
  }

  doGet(ticket: Uint8Array, info: CallInfo): AsyncGenerator<FlightDataMessage> {
    return followStream(this.ctx, this.hub, decodeFollowTicket(ticket), info);
  }

  /** Ends every follow stream (the server is shutting down). */
  close(): void {
    this.hub.close();
  }

  /** The head, the version to start from, and the manifest whose schema the stream carries. */
  private async start(req: FollowRequest): Promise<{ head: Manifest; from: number; first: Manifest }> {
    const head = await this.ctx.store.snapshot(req.table);
    const from = req.fromVersion ?? head.version + 1;
    if (from > head.version + 1) throw invalidArgument(`"from_version" ${from} is beyond the next version of table ${JSON.stringify(req.table)}: its current version is ${head.version}, so follow from ${head.version + 1} at most`);
    if (from > head.version) return { head, from, first: head };
    const entry = await this.ctx.store.coordinator.entry(req.table, from);
    if (!entry) {
      if (!(await this.ctx.store.coordinator.head(req.table))) throw droppedError(req.table, from);
      throw await expiredVersionError(this.ctx, req.table, from);
    }
    return { head, from, first: await this.ctx.store.reader.manifest(req.table, entry.manifest) };
  }

  /** "Nothing yet": the schema, no endpoint. */
  private infoWithout(d: FlightDescriptor, schemaOf: Manifest, columns?: string[]): FlightInfo {
    return { flight_descriptor: d, endpoint: [], total_records: -1, total_bytes: -1, ordered: true, schema: encapsulatedSchema(projectedSchema(schemaOf, columns)) };
  }

  private async info(d: FlightDescriptor, first: Manifest, ticket: FollowTicket, head: Manifest): Promise<FlightInfo> {
    const locations = (await this.ctx.locations()).map((uri) => ({ uri }));
    const appMetadata = { table: ticket.table, from_version: ticket.from, ...(ticket.until !== undefined ? { until_version: ticket.until } : {}), head_version: head.version };
    return {
      schema: encapsulatedSchema(projectedSchema(first, ticket.columns)),
      flight_descriptor: d,
      // No expiration: the stream never ends by itself, and any replica serves the ticket.
      endpoint: [{ ticket: { ticket: encodeFollowTicket(ticket) }, location: locations }],
      total_records: -1,
      total_bytes: -1,
      ordered: true,
      app_metadata: Buffer.from(JSON.stringify(appMetadata)),
    };
  }
}
