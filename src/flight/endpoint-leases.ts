// Endpoint expiration with real meaning. A version stays readable until `retention` after a
// newer version supersedes it; RenewFlightEndpoint extends that for one endpoint's ticket, and
// CancelFlightInfo gives the endpoints up, after which their tickets are refused.
// Leases live in memory: after a restart the retention period alone applies.
import { decodeTicket } from './tickets.ts';

export class EndpointLeases {
  private readonly leases = new Map<string, number>();
  private readonly cancelled = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** When `ticket` stops being served, given when its version was superseded (null: current). */
  expiration(ticket: string, supersededAt: number | null, retentionMs: number, issuedAt = this.now()): number {
    const base = supersededAt === null ? issuedAt + retentionMs : supersededAt + retentionMs;
    return Math.max(base, this.leases.get(ticket) ?? 0);
  }

  renew(ticket: string, until: number): number {
    this.cancelled.delete(ticket);
    const value = Math.max(until, this.leases.get(ticket) ?? 0);
    this.leases.set(ticket, value);
    this.prune();
    return value;
  }

  cancel(ticket: string, keepUntil: number): void {
    this.leases.delete(ticket);
    this.cancelled.set(ticket, keepUntil);
    this.prune();
  }

  isCancelled(ticket: string): boolean {
    return this.cancelled.has(ticket);
  }

  /**
   * The latest lease on any ticket of `version` of `table` (0 when none): maintenance does not
   * expire a version this process has promised to keep readable.
   */
  heldUntil(table: string, version: number): number {
    let until = 0;
    for (const [key, value] of this.leases) {
      if (value <= until) continue;
      try {
        const t = decodeTicket(Buffer.from(key, 'base64'));
        if (t.table === table && t.version === version) until = value;
      } catch {
        // Only decodable tickets are ever leased; nothing else can hold a version.
      }
    }
    return until;
  }

  private prune(): void {
    const t = this.now();
    for (const [k, until] of this.cancelled) if (until < t) this.cancelled.delete(k);
    for (const [k, until] of this.leases) if (until < t) this.leases.delete(k);
  }
}
