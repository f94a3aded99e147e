// The Flight service as grpc-js sees it, and typed encode/decode of the protocol's messages
// (Action bodies such as CancelFlightInfoRequest are plain serialized protobuf).
// Nothing outside src/wire imports src/generated; it re-exports the types under plain names.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import type { FlightServiceDefinition } from '../generated/arrow/flight/protocol/FlightService.ts';
import { decodeFlightData, encodeFlightData, type FlightDataMessage } from './flight-data.ts';
import { FLIGHT_PROTO, LOADER_OPTIONS } from './proto-options.ts';

export type { FlightInfo } from '../generated/arrow/flight/protocol/FlightInfo.ts';
export type { FlightEndpoint } from '../generated/arrow/flight/protocol/FlightEndpoint.ts';
export type { FlightDescriptor, FlightDescriptor__Output as FlightDescriptorIn } from '../generated/arrow/flight/protocol/FlightDescriptor.ts';
export type { Ticket__Output as TicketIn } from '../generated/arrow/flight/protocol/Ticket.ts';
export type { PutResult } from '../generated/arrow/flight/protocol/PutResult.ts';
export type { Action__Output as ActionIn } from '../generated/arrow/flight/protocol/Action.ts';
export type { Result } from '../generated/arrow/flight/protocol/Result.ts';
export type { ActionType } from '../generated/arrow/flight/protocol/ActionType.ts';
export type { Criteria__Output as CriteriaIn } from '../generated/arrow/flight/protocol/Criteria.ts';
export type { HandshakeRequest__Output as HandshakeRequestIn } from '../generated/arrow/flight/protocol/HandshakeRequest.ts';
export type { HandshakeResponse } from '../generated/arrow/flight/protocol/HandshakeResponse.ts';
export type { PollInfo } from '../generated/arrow/flight/protocol/PollInfo.ts';
export type { SchemaResult } from '../generated/arrow/flight/protocol/SchemaResult.ts';
export type { Timestamp } from '../generated/google/protobuf/Timestamp.ts';
export type { FlightServiceClient } from './flight-service-client.ts';

const packageDefinition = protoLoader.loadSync(FLIGHT_PROTO, LOADER_OPTIONS);
const loaded = grpc.loadPackageDefinition(packageDefinition) as unknown as {
  arrow: { flight: { protocol: { FlightService: grpc.ServiceClientConstructor } } };
};
const standard = loaded.arrow.flight.protocol.FlightService.service as unknown as FlightServiceDefinition;

const rawFlightData = {
  serialize: (m: FlightDataMessage) => encodeFlightData(m),
  deserialize: (b: Buffer) => decodeFlightData(b),
};

/**
 * A response a handler has already encoded (src/flight/flight-info-cache.ts keeps FlightInfo of
 * immutable versions encoded) goes out as it is; any other value is serialized as usual.
 */
const passEncoded = (serialize: (value: object) => Buffer) => (value: object) => (Buffer.isBuffer(value) ? value : serialize(value));

/**
 * The service with FlightData (de)serialized by our own codec rather than protobufjs, so record
 * batch bodies are views of the received buffer. Handlers of DoGet, DoPut and DoExchange see
 * FlightDataMessage values; GetFlightInfo and ListFlights may answer with encoded FlightInfo.
 */
export const flightService: grpc.ServiceDefinition = {
  ...standard,
  GetFlightInfo: { ...standard.GetFlightInfo, responseSerialize: passEncoded(standard.GetFlightInfo.responseSerialize as (value: object) => Buffer) },
  ListFlights: { ...standard.ListFlights, responseSerialize: passEncoded(standard.ListFlights.responseSerialize as (value: object) => Buffer) },
  DoGet: { ...standard.DoGet, responseSerialize: rawFlightData.serialize, responseDeserialize: rawFlightData.deserialize },
  DoPut: { ...standard.DoPut, requestSerialize: rawFlightData.serialize, requestDeserialize: rawFlightData.deserialize },
  DoExchange: {
    ...standard.DoExchange,
    requestSerialize: rawFlightData.serialize,
    requestDeserialize: rawFlightData.deserialize,
    responseSerialize: rawFlightData.serialize,
    responseDeserialize: rawFlightData.deserialize,
  },
} as unknown as grpc.ServiceDefinition;

// keepCase, as for the loader: field names stay as in the .proto (expiration_time), matching the
// generated types; protobufjs would otherwise camel-case them and silently drop unknown keys.
const root = new protobuf.Root().loadSync(FLIGHT_PROTO, { keepCase: true });
root.resolveAll();

const toObjectOptions = { ...LOADER_OPTIONS, longs: Number, enums: String, bytes: Buffer } as protobuf.IConversionOptions;

/** Serializes a message of the Flight package, e.g. encodeMessage('FlightInfo', info). */
export function encodeMessage(type: string, value: object): Buffer {
  const t = root.lookupType(`arrow.flight.protocol.${type}`);
  return Buffer.from(t.encode(t.fromObject(value)).finish());
}

/** `longs: String` keeps int64 fields exact (the default, Number, rounds beyond 2^53). */
export function decodeMessage<T>(type: string, bytes: Uint8Array, options: { longs?: typeof String | typeof Number } = {}): T {
  const t = root.lookupType(`arrow.flight.protocol.${type}`);
  return t.toObject(t.decode(bytes), { ...toObjectOptions, ...options }) as T;
}
