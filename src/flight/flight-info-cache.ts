// FlightInfo of stored tables, encoded once per version. A version is immutable, so everything a
// FlightInfo says of it (schema, tickets, counts) is fixed when the version is committed; only
// each endpoint's locations (the live replicas) and expiration_time (when its lease ends) are
// the call's own. So the protobuf encoding of the fixed fields is kept, and a call appends the
// rest: protobuf concatenation merges messages, and a repeated field's elements may come in
// any order relative to other fields. GetFlightInfo on a version of 10,000 files then costs what
// one of 10 costs, and ListFlights sends each table without protobufjs building the message
// (protobufjs' fromObject + encode took about 20 us of CPU per table: 2 s for 100,000 tables).
//
// Memory: GetFlightInfo's cache holds at most 16 MiB of encodings (least recently used out
// first); a version's entry is its schema, descriptor and tickets, about 700 bytes for a small
// table. ListFlights keeps one entry per table in a cache of its own (64 MiB; an entry is one
// buffer of about 350 bytes for a small table, in slabs the cache owns, plus 200 counted for its
// objects: some 120,000 tables): a listing reads every table in name order, which would flush
// an LRU smaller than the catalog on every pass, so that cache admits tables while it has room
// (never evicting), and a listing of all tables removes the entries it did not list (dropped
// tables). Tables beyond the budget are encoded afresh per listing, which costs CPU, never memory.
import type { FlightDescriptor } from '../wire/protocol.ts';
import { ProtobufWriter as Writer, WIRE_LEN as LEN, WIRE_VARINT as VARINT, varintSize } from '../wire/protobuf-wire.ts';

export const DEFAULT_FLIGHT_INFO_CACHE_BYTES = 16 * 1024 * 1024;
/** ListFlights' entries: one per table, about 550 bytes for a small table, so some 120,000 tables. */
export const DEFAULT_LISTING_CACHE_BYTES = 64 * 1024 * 1024;

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
  /** Per endpoint: the ticket's bytes (a view into its field). */
  rawTickets: Buffer[];
  /** Estimated heap bytes. */
  bytes: number;
}

/** Endpoint `i`'s ticket as base64, how endpoint leases know it. */
export const ticketKey = (v: EncodedVersionInfo, i: number): string => v.rawTickets[i]!.toString('base64');

export function encodeVersionInfo(v: VersionInfo): EncodedVersionInfo {
  const fixed = encodeFixed(v.schema, v.descriptor, v.totalRecords, v.totalBytes);
  const tickets = v.tickets.map(ticketField);
  const rawTickets = tickets.map((t, i) => t.subarray(t.length - v.tickets[i]!.length));
  const bytes = 320 + fixed.length + tickets.reduce((n, t) => n + t.length + 96, 0);
  return { fixed, tickets, rawTickets, bytes };
}

/** FlightEndpoint field 2 (repeated Location {uri = 1}) for these URIs, encoded. */
export function encodeLocations(uris: string[]): Buffer {
  const w = new Writer();
  for (const uri of uris) {
    const length = Buffer.byteLength(uri);
    w.tag(2, LEN).varint(1 + varintSize(length) + length).tag(1, LEN).varint(length).string(uri, length);
  }
  return w.finish();
}

/**
 * The whole FlightInfo: the fixed fields, then each endpoint with its ticket, the call's
 * locations and its expiration (ms since the epoch) from `expires`.
 */
export function encodeFlightInfo(v: EncodedVersionInfo, locations: Buffer, expires: (i: number) => number): Buffer {
  const w = new Writer(v.fixed.length + v.tickets.length * ((v.tickets[0]?.length ?? 0) + locations.length + 32));
  w.bytes(v.fixed);
  for (let i = 0; i < v.tickets.length; i++) {
    const ticket = v.tickets[i]!;
    const ms = expires(i);
    const seconds = Math.floor(ms / 1000);
    const nanos = (ms - seconds * 1000) * 1_000_000;
    const timestamp = 1 + varintSize(seconds) + (nanos > 0 ? 1 + varintSize(nanos) : 0);
    w.tag(3, LEN).varint(ticket.length + locations.length + 2 + timestamp).bytes(ticket).bytes(locations);
    // FlightEndpoint field 3, a google.protobuf.Timestamp {seconds = 1, nanos = 2}.
    w.tag(3, LEN).varint(timestamp).tag(1, VARINT).varint(seconds);
    if (nanos > 0) w.tag(2, VARINT).varint(nanos);
  }
  return w.finish();
}

const DESCRIPTOR_TYPES: Record<string, number> = { UNKNOWN: 0, PATH: 1, CMD: 2 };

/** FlightInfo fields 1 (schema), 2 (descriptor {type = 1, cmd = 2, path = 3}), 4, 5 (totals), 6 (ordered). */
function encodeFixed(schema: Uint8Array, d: FlightDescriptor, totalRecords: number, totalBytes: number): Buffer {
  const type = typeof d.type === 'number' ? d.type : DESCRIPTOR_TYPES[String(d.type ?? 'UNKNOWN')] ?? 0;
  const cmd = d.cmd === undefined || d.cmd === null ? Buffer.alloc(0) : Buffer.from(d.cmd as Uint8Array | string);
  const path = (d.path ?? []).map((p) => Buffer.from(p));
  const descriptor = (type ? 2 : 0) + (cmd.length ? 1 + varintSize(cmd.length) + cmd.length : 0) + path.reduce((n, p) => n + 1 + varintSize(p.length) + p.length, 0);
  const w = new Writer(schema.length + descriptor + 40);
  w.tag(1, LEN).varint(schema.length).bytes(schema);
  w.tag(2, LEN).varint(descriptor);
  if (type) w.tag(1, VARINT).varint(type);
  if (cmd.length) w.tag(2, LEN).varint(cmd.length).bytes(cmd);
  for (const p of path) w.tag(3, LEN).varint(p.length).bytes(p);
  if (totalRecords) w.tag(4, VARINT).varint(totalRecords);
  if (totalBytes) w.tag(5, VARINT).varint(totalBytes);
  w.tag(6, VARINT).varint(1);
  return w.finish();
}

/** FlightEndpoint field 1, a Ticket {ticket = 1}. */
function ticketField(ticket: Buffer): Buffer {
  const inner = 1 + varintSize(ticket.length) + ticket.length;
  return new Writer(inner + 6).tag(1, LEN).varint(inner).tag(1, LEN).varint(ticket.length).bytes(ticket).finish();
}

/**
 * A table's listing answer but for its one endpoint's locations and expiration, in one buffer:
 * the fixed fields (FlightInfo 1, 2, 4-6), then the endpoint's Ticket field.
 */
export interface ListingInfo {
  encoded: Buffer;
  /** Where the Ticket field starts. */
  fixedLength: number;
  /** Where the ticket's own bytes start (the lease key is their base64). */
  ticketAt: number;
}

/** `v`'s listing answer (its first endpoint's ticket), in a buffer of its own or at `into`. */
export function listingInfoOf(v: EncodedVersionInfo, into?: (length: number) => Buffer): ListingInfo {
  const ticket = v.tickets[0] ?? Buffer.alloc(0);
  const length = v.fixed.length + ticket.length;
  const encoded = into ? into(length) : Buffer.allocUnsafe(length);
  v.fixed.copy(encoded, 0);
  ticket.copy(encoded, v.fixed.length);
  return { encoded, fixedLength: v.fixed.length, ticketAt: length - (v.rawTickets[0]?.length ?? 0) };
}

export const listingTicketKey = (e: ListingInfo): string => e.encoded.toString('base64', e.ticketAt);

/**
 * The whole FlightInfo of a listed table into `w` (reset first): its fixed fields, then one
 * endpoint with its ticket, the listing's locations and the expiration (ms since the epoch).
 */
export function writeListingFlightInfo(w: Writer, e: ListingInfo, locations: Buffer, expiresMs: number): Buffer {
  const { encoded, fixedLength } = e;
  const seconds = Math.floor(expiresMs / 1000);
  const nanos = (expiresMs - seconds * 1000) * 1_000_000;
  const timestamp = 1 + varintSize(seconds) + (nanos > 0 ? 1 + varintSize(nanos) : 0);
  w.bytes(encoded, 0, fixedLength);
  w.tag(3, LEN).varint(encoded.length - fixedLength + locations.length + 2 + timestamp).bytes(encoded, fixedLength, encoded.length).bytes(locations);
  w.tag(3, LEN).varint(timestamp).tag(1, VARINT).varint(seconds);
  if (nanos > 0) w.tag(2, VARINT).varint(nanos);
  return w.finish();
}

/** Bytes of the cache's slabs: entries are copied into them, so that small buffers do not each carry an allocation. */
const SLAB_BYTES = 64 * 1024;
/** Heap bytes of an entry besides its encoding: the Map slot, the entry, its buffer view. */
const ENTRY_OVERHEAD = 200;

interface Slab {
  buf: Buffer;
  at: number;
  /** Entries whose encoding is in this slab. */
  live: number;
}

/**
 * ListFlights' encoded tables by name, each for one incarnation and version (see the header).
 * Encodings live in slabs the cache owns: each small Buffer of its own would cost an allocation
 * and a view, and one carved from Node's shared 8 KiB pool keeps the pool's other (dead)
 * contents alive with it, which more than doubled the cache's real size. The budget counts whole
 * slabs held, so a slab kept by one live entry counts in full; when the dead part of the held
 * slabs is more than half, the live entries are copied into fresh slabs.
 */
export class ListingCache {
  private readonly entries = new Map<string, ListingEntry>();
  private slab: Slab | null = null;
  /** Bytes of the slabs that hold an entry, or are being filled. */
  private slabBytes = 0;
  /** Bytes of live encodings. */
  private liveBytes = 0;
  /** Full listings started: an entry a full listing did not see is of a dropped table. */
  private passes = 0;

  constructor(readonly budgetBytes = DEFAULT_LISTING_CACHE_BYTES, private readonly slabSize = SLAB_BYTES) {}

  /** One listing; `all`: it lists every table, and at finish() entries it did not list leave. */
  pass(all: boolean): ListingPass {
    const pass = all ? ++this.passes : 0;
    return {
      get: (table, tableId, version, make) => {
        const e = this.entries.get(table);
        if (e && e.version === version && e.tableId === tableId) {
          if (pass) e.seen = pass;
          return e.info;
        }
        if (e) this.remove(table, e);
        const v = make();
        const length = v.fixed.length + (v.tickets[0]?.length ?? 0);
        if (!this.room(length)) return listingInfoOf(v);
        const slab = this.slab!;
        const info = listingInfoOf(v, (n) => slab.buf.subarray(slab.at, (slab.at += n)));
        slab.live++;
        this.liveBytes += length;
        this.entries.set(table, { tableId, version, info, slab, seen: pass });
        return info;
      },
      finish: () => {
        // Only the newest full listing prunes: an older one finishing late saw fewer tables.
        if (!pass || pass !== this.passes) return;
        for (const [table, e] of this.entries) if (e.seen !== pass) this.remove(table, e);
      },
    };
  }

  stats(): { entries: number; bytes: number; budgetBytes: number } {
    return { entries: this.entries.size, bytes: this.used, budgetBytes: this.budgetBytes };
  }

  private get used(): number {
    return this.slabBytes + this.entries.size * ENTRY_OVERHEAD;
  }

  /** Makes `this.slab` able to take `length` bytes within the budget; false if it cannot. */
  private room(length: number): boolean {
    if (this.fits(length)) return true;
    if (this.liveBytes * 2 >= this.slabBytes) return false;
    this.compact();
    return this.fits(length);
  }

  private fits(length: number): boolean {
    const slab = this.slab;
    if (slab && slab.at + length <= slab.buf.length) return this.used + ENTRY_OVERHEAD <= this.budgetBytes;
    const size = Math.max(this.slabSize, length);
    const freed = slab && slab.live === 0 ? slab.buf.length : 0;
    if (this.used - freed + size + ENTRY_OVERHEAD > this.budgetBytes) return false;
    this.newSlab(size);
    return true;
  }

  private newSlab(size: number): void {
    if (this.slab && this.slab.live === 0) this.slabBytes -= this.slab.buf.length;
    this.slab = { buf: Buffer.allocUnsafeSlow(size), at: 0, live: 0 };
    this.slabBytes += size;
  }

  private remove(table: string, e: ListingEntry): void {
    this.entries.delete(table);
    this.liveBytes -= e.info.encoded.length;
    if (--e.slab.live === 0 && e.slab !== this.slab) this.slabBytes -= e.slab.buf.length;
  }

  /** Copies the live entries into fresh slabs; the old ones go with their last view. */
  private compact(): void {
    this.slab = null;
    this.slabBytes = 0;
    for (const e of this.entries.values()) {
      const n = e.info.encoded.length;
      const current = this.slab as Slab | null;
      if (!current || current.at + n > current.buf.length) this.newSlab(Math.max(this.slabSize, n));
      const slab = this.slab!;
      const encoded = slab.buf.subarray(slab.at, (slab.at += n));
      e.info.encoded.copy(encoded);
      e.info = { ...e.info, encoded };
      e.slab = slab;
      slab.live++;
    }
  }
}

/** One listing's view of the cache (ListingCache.pass). */
export interface ListingPass {
  get(table: string, tableId: string, version: number, make: () => EncodedVersionInfo): ListingInfo;
  finish(): void;
}

interface ListingEntry {
  tableId: string;
  version: number;
  info: ListingInfo;
  slab: Slab;
  /** The full listing that last listed it (0: none yet). */
  seen: number;
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
