// The client's own view of Flight messages: decoded schemas, plain arrays and Dates instead of
// the generated protobuf shapes. The generated shapes are derived from the raw stub's types
// (nothing outside src/wire imports src/generated).
import type * as grpc from '@grpc/grpc-js';
import { RecordBatchReader, type Schema } from 'apache-arrow';
import type { FlightServiceClient } from '../wire/protocol.ts';

type UnaryOutput<M> = M extends (argument: never, callback: grpc.requestCallback<infer R>) => grpc.ClientUnaryCall ? R : never;
type StreamOutput<M> = M extends (...args: never[]) => grpc.ClientReadableStream<infer R> ? R : never;

export type WireFlightInfo = UnaryOutput<FlightServiceClient['GetFlightInfo']>;
export type WirePollInfo = UnaryOutput<FlightServiceClient['PollFlightInfo']>;
export type WireSchemaResult = UnaryOutput<FlightServiceClient['GetSchema']>;
export type WireActionType = StreamOutput<FlightServiceClient['ListActions']>;
export type WireResult = StreamOutput<FlightServiceClient['DoAction']>;
type WireDescriptor = NonNullable<WireFlightInfo['flight_descriptor']>;
type WireEndpoint = WireFlightInfo['endpoint'][number];
type WireTimestamp = WireEndpoint['expiration_time'];

/** A Flight descriptor: a PATH (the table name's elements) or a CMD (opaque bytes). */
export type FlightDescriptor =
  | { type: 'PATH'; path: string[] }
  | { type: 'CMD'; cmd: Uint8Array };

/** A table name is a one-element PATH descriptor. */
export type DescriptorInput = FlightDescriptor | string;

/** Where to read part of a flight: a ticket and the locations that serve it. */
export interface FlightEndpoint {
  ticket: Uint8Array;
  /** Where the ticket can be redeemed, in order of preference; empty means "this server". */
  locations: string[];
  expirationTime: Date | null;
  appMetadata: Uint8Array;
}

/** A flight as GetFlightInfo returns it: schema, endpoints, record and byte counts. */
export interface FlightInfo {
  /** Null when the server sent no schema. */
  schema: Schema | null;
  descriptor: FlightDescriptor | null;
  endpoints: FlightEndpoint[];
  /** -1 when unknown. */
  totalRecords: number;
  totalBytes: number;
  ordered: boolean;
  appMetadata: Uint8Array;
}

/** A PollFlightInfo reply: the flight so far, its progress, and how to poll again. */
export interface PollInfo {
  info: FlightInfo | null;
  /** The descriptor to poll next; null when the query is complete. */
  descriptor: FlightDescriptor | null;
  /** 0..1, or null when the server does not say. */
  progress: number | null;
  expirationTime: Date | null;
}

/** An action a server supports, as ListActions names it. */
export interface ActionType {
  type: string;
  description: string;
}

/** A descriptor from a table name (a PATH descriptor) or a descriptor as it is. */
export function toDescriptor(d: DescriptorInput): FlightDescriptor {
  return typeof d === 'string' ? { type: 'PATH', path: [d] } : d;
}

/** As grpc-js (protobufjs) wants it on the wire. */
export function wireDescriptor(d: DescriptorInput): { type: 'PATH' | 'CMD'; path: string[]; cmd: Uint8Array } {
  const desc = toDescriptor(d);
  return desc.type === 'PATH' ? { type: 'PATH', path: desc.path, cmd: new Uint8Array(0) } : { type: 'CMD', path: [], cmd: desc.cmd };
}

/** An IPC-encapsulated Schema message (FlightInfo.schema, SchemaResult.schema) as a Schema. */
export function decodeSchema(bytes: Uint8Array): Schema | null {
  if (bytes.byteLength === 0) return null;
  const reader = RecordBatchReader.from(bytes);
  reader.open();
  return reader.schema ?? null;
}

function fromDescriptor(d: WireDescriptor | null): FlightDescriptor | null {
  if (!d) return null;
  if (d.type === 'CMD') return { type: 'CMD', cmd: new Uint8Array(d.cmd) };
  return { type: 'PATH', path: [...d.path] };
}

function fromTimestamp(t: WireTimestamp): Date | null {
  if (!t) return null;
  return new Date(Number(t.seconds) * 1000 + Math.floor(Number(t.nanos) / 1e6));
}

/**
 * The message each FlightInfo was decoded from, so that sending it back (CancelFlightInfo)
 * repeats the server's bytes (its schema encoding, timestamps to the nanosecond) exactly.
 */
const wireInfos = new WeakMap<FlightInfo, WireFlightInfo>();

export function fromEndpoint(e: WireEndpoint): FlightEndpoint {
  return {
    ticket: new Uint8Array(e.ticket?.ticket ?? []),
    locations: e.location.map((l) => l.uri),
    expirationTime: fromTimestamp(e.expiration_time),
    appMetadata: new Uint8Array(e.app_metadata),
  };
}

export function fromFlightInfo(info: WireFlightInfo): FlightInfo {
  const out: FlightInfo = {
    schema: decodeSchema(info.schema),
    descriptor: fromDescriptor(info.flight_descriptor),
    endpoints: info.endpoint.map(fromEndpoint),
    totalRecords: Number(info.total_records),
    totalBytes: Number(info.total_bytes),
    ordered: info.ordered,
    appMetadata: new Uint8Array(info.app_metadata),
  };
  wireInfos.set(out, info);
  return out;
}

function toTimestamp(d: Date | null): { seconds: number; nanos: number } | undefined {
  if (!d) return undefined;
  const ms = d.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms - Math.floor(ms / 1000) * 1000) * 1e6 };
}

/** A FlightEndpoint as protobufjs encodes it. */
export function toWireEndpoint(e: FlightEndpoint): object {
  return {
    ticket: { ticket: e.ticket },
    location: e.locations.map((uri) => ({ uri })),
    expiration_time: toTimestamp(e.expirationTime),
    app_metadata: e.appMetadata,
  };
}

/** A FlightInfo as protobufjs encodes it: the received message itself when there is one. */
export function toWireFlightInfo(info: FlightInfo, encodeSchema: (schema: Schema) => Uint8Array): object {
  const received = wireInfos.get(info);
  if (received) return received;
  return {
    schema: info.schema ? encodeSchema(info.schema) : new Uint8Array(0),
    flight_descriptor: info.descriptor ? wireDescriptor(info.descriptor) : undefined,
    endpoint: info.endpoints.map(toWireEndpoint),
    total_records: info.totalRecords,
    total_bytes: info.totalBytes,
    ordered: info.ordered,
    app_metadata: info.appMetadata,
  };
}

export function fromPollInfo(poll: WirePollInfo): PollInfo {
  return {
    info: poll.info ? fromFlightInfo(poll.info) : null,
    descriptor: fromDescriptor(poll.flight_descriptor),
    progress: typeof poll.progress === 'number' ? poll.progress : null,
    expirationTime: fromTimestamp(poll.expiration_time),
  };
}
