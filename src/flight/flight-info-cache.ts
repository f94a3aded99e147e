// FlightInfo of stored tables, encoded once per version. A version is immutable, so everything a
// FlightInfo says of it (schema, tickets, counts) is fixed when the version is committed; only
// each endpoint's locations (the live replicas) and expiration_time (when its lease ends) are
// the call's own. So the protobuf encoding of the fixed fields is kept, and a call appends the
// rest: protobuf concatenation merges messages, and a repeated field's elements may come in
// any order relative to other fields. GetFlightInfo on a version of 10,000 files then costs what
// one of 10 costs, and ListFlights sends each table without protobufjs building the message.
//
// Memory: the cache holds at most `budgetBytes` of encodings (default 16 MiB, least recently
// used out first); a version's entry is its schema, descriptor and tickets, so about 1 KB for a
// small table. A listing of more tables than the budget holds costs one encoding per table
// (the same as without a cache), never more memory.
import { encodeMessage } from '../wire/protocol.ts';
import type { FlightDescriptor } from '../wire/protocol.ts';

export const DEFAULT_FLIGHT_INFO_CACHE_BYTES = 16 * 1024 * 1024;

/** What a FlightInfo says of one version: fixed once the version is committed. */
export interface VersionInfo {
  /** IPC-encapsulated schema (FlightInfo.schema). */
  schema: Uint8Array;
  descriptor: FlightDescriptor;
  tickets: Buffer[];
  totalRecords: number;
  totalBytes: number;
}

/** A version's FlightInfo, encoded but for its endpoints' locations and expiration times. */
export interface EncodedVersionInfo {
  /** FlightInfo fields 1, 2, 4, 5, 6 (schema, descriptor, totals, ordered). */
  fixed: Buffer;
  /** Per endpoint: its Ticket field (FlightEndpoint field 1), encoded. */
  tickets: Buffer[];
  /** Per endpoint: the ticket as base64, how endpoint leases know it. */
  ticketKeys: string[];
  bytes: number;
}

export function encodeVersionInfo(v: VersionInfo): EncodedVersionInfo {
  const fixed = encodeMessage('FlightInfo', {
    schema: v.schema,
    flight_descriptor: v.descriptor,
    total_records: v.totalRecords,
    total_bytes: v.totalBytes,
    ordered: true,
  });
  const tickets = v.tickets.map((ticket) => encodeMessage('FlightEndpoint', { ticket: { ticket } }));
  const ticketKeys = v.tickets.map((t) => t.toString('base64'));
  const bytes = 256 + fixed.length + tickets.reduce((n, t) => n + t.length * 3, 0);
  return { fixed, tickets, ticketKeys, bytes };
}

/** FlightEndpoint field 2 (repeated Location) for these URIs, encoded. */
export function encodeLocations(uris: string[]): Buffer {
  return uris.length === 0 ? Buffer.alloc(0) : encodeMessage('FlightEndpoint', { location: uris.map((uri) => ({ uri })) });
}

/**
 * The whole FlightInfo: the fixed fields, then each endpoint with its ticket, the call's
 * locations and its expiration (ms since the epoch) from `expires`.
 */
export function encodeFlightInfo(v: EncodedVersionInfo, locations: Buffer, expires: (i: number) => number): Buffer {
  const endpoints: Buffer[] = [];
  let size = v.fixed.length;
  for (let i = 0; i < v.tickets.length; i++) {
    const ticket = v.tickets[i]!;
    const expiration = timestampField(expires(i));
    const length = ticket.length + locations.length + expiration.length;
    const head = Buffer.from([0x1a, ...varint(length)]); // field 3 (endpoint), length-delimited
    endpoints.push(head, ticket, locations, expiration);
    size += head.length + length;
  }
  return Buffer.concat([v.fixed, ...endpoints], size);
}

/** FlightEndpoint field 3, a google.protobuf.Timestamp {seconds = 1, nanos = 2}. */
function timestampField(ms: number): Buffer {
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms - seconds * 1000) * 1_000_000;
  const body = [0x08, ...varint(seconds), ...(nanos > 0 ? [0x10, ...varint(nanos)] : [])];
  return Buffer.from([0x1a, body.length, ...body]);
}

/** A non-negative integer below 2^53 as a protobuf varint. */
function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

/** Encoded versions by key, least recently used out first once `budgetBytes` is spent. */
export class FlightInfoCache {
  private readonly entries = new Map<string, EncodedVersionInfo>();
  private used = 0;

  constructor(readonly budgetBytes = DEFAULT_FLIGHT_INFO_CACHE_BYTES) {}

  get(key: string): EncodedVersionInfo | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    // Map order is insertion order: re-inserting keeps the front least recently used.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e;
  }

  set(key: string, value: EncodedVersionInfo): void {
    if (value.bytes > this.budgetBytes) return;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.used -= old.bytes;
    }
    for (const [k, e] of this.entries) {
      if (this.used + value.bytes <= this.budgetBytes) break;
      this.entries.delete(k);
      this.used -= e.bytes;
    }
    this.entries.set(key, value);
    this.used += value.bytes;
  }

  stats(): { entries: number; bytes: number; budgetBytes: number } {
    return { entries: this.entries.size, bytes: this.used, budgetBytes: this.budgetBytes };
  }
}
