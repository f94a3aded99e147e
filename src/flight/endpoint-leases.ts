// Endpoint expiration with real meaning. A version stays readable until `retention` after a
// newer version supersedes it; RenewFlightEndpoint extends that for one endpoint's ticket, and
// CancelFlightInfo gives the endpoints up, after which their tickets are refused.
// Leases live in memory: after a restart the retention period alone applies.
//
// Both kinds of record are bounded (--max-endpoint-leases each): any reader may renew or cancel,
// so without a bound a client could grow them until the server runs out of memory. Records are
// keyed by a digest of the ticket, so a record costs the same whatever the ticket's size. Expired
// records are dropped first; when the rest still fill the table the call is RESOURCE_EXHAUSTED,
// never a silently forgotten lease or cancellation.
import { createHash } from 'node:crypto';
import { QuiverError } from '../errors.ts';
import { decodeTicket } from './tickets.ts';

export const DEFAULT_MAX_ENDPOINT_LEASES = 100_000;

interface Lease {
  until: number;
  table: string;
  version: number;
}

export class EndpointLeases {
  private readonly leases = new Map<string, Lease>();
  private readonly cancelled = new Map<string, number>();

  constructor(readonly maxRecords: number = DEFAULT_MAX_ENDPOINT_LEASES, private readonly now: () => number = Date.now) {}

  /**
   * When `ticket` (base64, or a function giving it) stops being served, given when its version
   * was superseded (null: current).
   */
  expiration(ticket: string | (() => string), supersededAt: number | null, retentionMs: number, issuedAt = this.now()): number {
    const base = supersededAt === null ? issuedAt + retentionMs : supersededAt + retentionMs;
    // No lease held (the usual case): no ticket to encode or digest (ListFlights asks per table).
    if (this.leases.size === 0) return base;
    return Math.max(base, this.leases.get(digest(typeof ticket === 'string' ? ticket : ticket()))?.until ?? 0);
  }

  /** Holds `ticket` (base64) readable until `until` (or a later lease already held); returns the lease's end. */
  renew(ticket: string, until: number): number {
    const key = digest(ticket);
    const held = this.leases.get(key);
    if (!held) this.makeRoom(this.leases, 'endpoint leases (RenewFlightEndpoint)');
    const value = Math.max(until, held?.until ?? 0);
    this.cancelled.delete(key);
    this.leases.set(key, { until: value, ...heldVersion(ticket) });
    return value;
  }

  cancel(ticket: string, keepUntil: number): void {
    const key = digest(ticket);
    if (!this.cancelled.has(key)) this.makeRoom(this.cancelled, 'cancelled tickets (CancelFlightInfo)');
    this.leases.delete(key);
    this.cancelled.set(key, keepUntil);
  }

  isCancelled(ticket: string): boolean {
    return this.cancelled.has(digest(ticket));
  }

  get size(): { leases: number; cancelled: number } {
    return { leases: this.leases.size, cancelled: this.cancelled.size };
  }

  /**
   * The latest lease on any ticket of `version` of `table` (0 when none): maintenance does not
   * expire a version this process has promised to keep readable.
   */
  heldUntil(table: string, version: number): number {
    let until = 0;
    for (const lease of this.leases.values()) {
      if (lease.until > until && lease.table === table && lease.version === version) until = lease.until;
    }
    return until;
  }

  /** Room for one more record in `records`, or RESOURCE_EXHAUSTED. */
  private makeRoom(records: Map<string, Lease | number>, what: string): void {
    if (records.size < this.maxRecords) return;
    const t = this.now();
    for (const [k, v] of records) if ((typeof v === 'number' ? v : v.until) < t) records.delete(k);
    if (records.size < this.maxRecords) return;
    throw new QuiverError('RESOURCE_EXHAUSTED', `this server already holds ${records.size} ${what}, its limit (setting maxEndpointLeases, --max-endpoint-leases); retry once some expire (within one retention period), or raise the limit`, { retriable: true });
  }
}

/** What a lease keeps readable; a ticket that is not quiver's (a test's own scenario) holds nothing. */
function heldVersion(ticket: string): { table: string; version: number } {
  try {
    const t = decodeTicket(Buffer.from(ticket, 'base64'));
    return { table: t.table, version: t.version };
  } catch {
    return { table: '', version: -1 };
  }
}

function digest(ticket: string): string {
  return createHash('sha256').update(ticket).digest('base64');
}
