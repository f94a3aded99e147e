// From a read request to what GetFlightInfo answers: the pinned manifest, the (projected)
// schema, and endpoints that each cover a run of data files. GetFlightInfo and ListFlights
// answer with encodings kept per version (flight-info-cache.ts); PollFlightInfo with objects.
import { Schema } from 'apache-arrow';
import { framePrefix } from '../arrow/ipc-framing.ts';
import { decodeSchema, encodeSchema } from '../arrow/ipc-message.ts';
import { invalidArgument, notFound } from '../errors.ts';
import { schemaBytes, type Manifest } from '../storage/manifest.ts';
import type { TableDescription } from '../storage/catalog.ts';
import type { FlightContext } from './context.ts';
import type { ReadRequest } from './descriptors.ts';
import type { FlightDescriptor, FlightEndpoint, FlightInfo, Timestamp } from '../wire/protocol.ts';
import { encodeTicket, type TicketContent } from './tickets.ts';
import { FlightInfoCache, ListingCache, encodeFlightInfo, encodeLocations, encodeVersionInfo, listingTicketKey, ticketKey, writeListingFlightInfo, type EncodedVersionInfo, type ListingPass } from './flight-info-cache.ts';
import { ProtobufWriter } from '../wire/protobuf-wire.ts';

export interface ReadPlan {
  manifest: Manifest;
  /** Schema message flatbuffer sent first on every DoGet of this plan. */
  schemaHeader: Uint8Array;
  tickets: TicketContent[];
  /** Arrow body bytes the plan's DoGets send (projected columns only). */
  arrowBytes: number;
  /** Planned from the table's head, so not superseded when planned: no need to ask again. */
  current: boolean;
}

export async function planRead(ctx: FlightContext, req: ReadRequest, endpointBytes = ctx.endpointBytes): Promise<ReadPlan> {
  return planOf(await ctx.store.snapshot(req.table, req.version), req, endpointBytes);
}

function planOf(manifest: Manifest, req: ReadRequest, endpointBytes: number): ReadPlan {
  const schemaHeader = projectedSchema(manifest, req.columns);
  const tickets: TicketContent[] = [];
  let first = 0;
  let bytes = 0;
  manifest.files.forEach((f, i) => {
    bytes += f.arrowBytes;
    if (bytes >= endpointBytes) {
      tickets.push(ticketFor(manifest, [first, i + 1], req.columns));
      first = i + 1;
      bytes = 0;
    }
  });
  // A table with no files still gets one endpoint, so readers receive its schema.
  if (first < manifest.files.length || tickets.length === 0) tickets.push(ticketFor(manifest, [first, manifest.files.length], req.columns));
  const wanted = req.columns ? new Set(req.columns) : null;
  const arrowBytes = wanted
    ? manifest.files.reduce((n, f) => n + f.columns.filter((c) => wanted.has(c.name)).reduce((m, c) => m + c.arrowBytes, 0), 0)
    : manifest.arrowBytes;
  return { manifest, schemaHeader, tickets, arrowBytes, current: req.version === undefined };
}

function ticketFor(m: Manifest, files: [number, number], columns?: string[]): TicketContent {
  return { table: m.table, tableId: m.tableId, version: m.version, files, ...(columns ? { columns } : {}) };
}

/** The stored schema, or a projection of it in the table's column order. */
export function projectedSchema(manifest: Manifest, columns?: string[]): Uint8Array {
  return projectSchema(manifest.table, schemaBytes(manifest), columns);
}

export function projectSchema(table: string, stored: Uint8Array, columns?: string[]): Uint8Array {
  if (!columns) return stored;
  const schema = decodeSchema(stored);
  const names = new Set(schema.fields.map((f) => f.name));
  const missing = columns.filter((c) => !names.has(c));
  if (missing.length > 0) throw invalidArgument(`table ${JSON.stringify(table)} has no column ${missing.map((c) => JSON.stringify(c)).join(', ')}; its columns are ${[...names].join(', ')}`);
  const wanted = new Set(columns);
  return encodeSchema(new Schema(schema.fields.filter((f) => wanted.has(f.name)), schema.metadata));
}

/** IPC-encapsulated schema, as FlightInfo.schema and SchemaResult.schema carry it. */
export function encapsulatedSchema(schemaHeader: Uint8Array): Buffer {
  return Buffer.from(framePrefix(schemaHeader));
}

export async function buildFlightInfo(ctx: FlightContext, plan: ReadPlan, descriptor: FlightDescriptor): Promise<FlightInfo> {
  // The head was just read for a current plan; reading it again costs a ZooKeeper sync in a cluster.
  const superseded = plan.current ? null : await ctx.store.supersededAt(plan.manifest.table, plan.manifest.version);
  const locations = (await ctx.locations()).map((uri) => ({ uri }));
  const endpoint: FlightEndpoint[] = plan.tickets.map((t) => {
    const ticket = encodeTicket(t);
    const expires = ctx.leases.expiration(ticket.toString('base64'), superseded, ctx.retentionMs);
    return { ticket: { ticket }, location: locations, expiration_time: toTimestamp(expires) };
  });
  return {
    schema: encapsulatedSchema(plan.schemaHeader),
    flight_descriptor: descriptor,
    endpoint,
    total_records: plan.manifest.rows,
    total_bytes: plan.arrowBytes,
    ordered: true,
  };
}

/** The caches of encoded versions of one server (its context); their bounds in flight-info-cache.ts. */
const caches = new WeakMap<FlightContext, { info: FlightInfoCache; listing: ListingCache }>();
const cachesOf = (ctx: FlightContext) => {
  let c = caches.get(ctx);
  if (!c) caches.set(ctx, (c = { info: new FlightInfoCache(), listing: new ListingCache() }));
  return c;
};
const cacheOf = (ctx: FlightContext): FlightInfoCache => cachesOf(ctx).info;

/** The caches' entries and bytes, for a test or a status page. */
export const flightInfoCacheStats = (ctx: FlightContext) => ({ info: cachesOf(ctx).info.stats(), listing: cachesOf(ctx).listing.stats() });

/**
 * GetFlightInfo's answer, encoded: what the version fixes comes from the cache (planned once
 * per version, descriptor, projection and endpoint size), so no call after the first walks the
 * manifest's files; locations and expiration times are the call's.
 */
export async function encodedFlightInfo(ctx: FlightContext, req: ReadRequest, descriptor: FlightDescriptor, endpointBytes = ctx.endpointBytes): Promise<Buffer> {
  const manifest = await ctx.store.snapshot(req.table, req.version);
  const key = `i\0${manifest.table}\0${manifest.tableId}\0${manifest.version}\0${endpointBytes}\0${req.columns ? JSON.stringify(req.columns) : ''}\0${descriptorKey(descriptor)}`;
  const cache = cacheOf(ctx);
  let v = cache.get(key);
  if (!v) {
    const plan = planOf(manifest, req, endpointBytes);
    v = encodeVersionInfo({
      schema: encapsulatedSchema(plan.schemaHeader),
      descriptor,
      tickets: plan.tickets.map(encodeTicket),
      totalRecords: manifest.rows,
      totalBytes: plan.arrowBytes,
    });
    cache.set(key, v);
  }
  // The head was just read for a current read; reading it again costs a ZooKeeper sync in a cluster.
  const superseded = req.version === undefined ? null : await ctx.store.supersededAt(manifest.table, manifest.version);
  return withEndpoints(ctx, v, encodeLocations(await ctx.locations()), superseded);
}

/**
 * ListFlights' answers, one per table, encoded from its catalog entry alone (no manifest read):
 * one endpoint covering the whole current version. GetFlightInfo splits a version into
 * endpoints by size; this ticket is as valid, just not split.
 */
export async function encodedListing(ctx: FlightContext, tables: Iterable<TableDescription>, all: boolean): Promise<Iterable<Buffer>> {
  // One listing, one set of locations: a replica joining meanwhile is in the next listing.
  const locations = encodeLocations(await ctx.locations());
  return listingOf(ctx, tables, locations, cachesOf(ctx).listing.pass(all));
}

/**
 * Synchronous, so that a listing is sent without an await per table (handler-kit's
 * encodedServerStream). Each answer is written into the same memory, which the stream copies
 * before it asks for the next: a listing makes no buffer per table.
 */
function* listingOf(ctx: FlightContext, tables: Iterable<TableDescription>, locations: Buffer, pass: ListingPass): Generator<Buffer> {
  const schemas = new Map<string, Uint8Array>();
  const schemaOf = (base64: string): Uint8Array => {
    let schema = schemas.get(base64);
    if (!schema) {
      // Tables often share a schema: decode each distinct one once per listing.
      if (schemas.size > 1024) schemas.clear();
      schemas.set(base64, (schema = encapsulatedSchema(new Uint8Array(Buffer.from(base64, 'base64')))));
    }
    return schema;
  };
  const w = new ProtobufWriter(1024);
  for (const d of tables) {
    const e = pass.get(d.table, d.tableId, d.version, () => encodeVersionInfo({
      schema: schemaOf(d.schema),
      descriptor: { type: 'PATH', path: d.table.split('/') },
      tickets: [encodeTicket({ table: d.table, tableId: d.tableId, version: d.version, files: [0, d.files] })],
      totalRecords: d.rows,
      totalBytes: d.arrowBytes,
    }));
    const expires = ctx.leases.expiration(() => listingTicketKey(e), null, ctx.retentionMs);
    yield writeListingFlightInfo(w.reset(), e, locations, expires);
  }
  pass.finish();
}

function withEndpoints(ctx: FlightContext, v: EncodedVersionInfo, locations: Buffer, superseded: number | null): Buffer {
  const now = Date.now();
  return encodeFlightInfo(v, locations, (i) => ctx.leases.expiration(() => ticketKey(v, i), superseded, ctx.retentionMs, now));
}

function descriptorKey(d: FlightDescriptor): string {
  const cmd = d.cmd ? Buffer.from(d.cmd as Uint8Array).toString('base64') : '';
  return `${String(d.type)}\0${JSON.stringify(d.path ?? [])}\0${cmd}`;
}

export function toTimestamp(ms: number): Timestamp {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

export function fromTimestamp(t: Timestamp | null | undefined): number | null {
  if (!t) return null;
  return Number(t.seconds ?? 0) * 1000 + Math.floor(Number(t.nanos ?? 0) / 1_000_000);
}

export function expiredError(table: string, version: number) {
  return notFound(`version ${version} of table ${JSON.stringify(table)} has expired (superseded longer ago than the retention period); call GetFlightInfo again for the current version`);
}
