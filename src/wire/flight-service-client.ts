// The raw stub's type as the stub really behaves. proto-loader-gen-types describes DoGet, DoPut
// and DoExchange with the protobuf FlightData shape (data_header, data_body, ...), but the
// service definition in protocol.ts runs those calls through quiver's zero-copy codec
// (flight-data.ts), so they take and yield FlightDataMessage values (header, body, appMetadata,
// descriptor). This is the generated client type with those methods retyped; every other method
// is the generated one, and src/generated stays exactly as generated.
import type * as grpc from '@grpc/grpc-js';
import type { FlightServiceClient as GeneratedFlightServiceClient } from '../generated/arrow/flight/protocol/FlightService.ts';
import type { PutResult__Output } from '../generated/arrow/flight/protocol/PutResult.ts';
import type { Ticket } from '../generated/arrow/flight/protocol/Ticket.ts';
import type { FlightDataMessage } from './flight-data.ts';

type FlightDataMethod = 'DoGet' | 'doGet' | 'DoPut' | 'doPut' | 'DoExchange' | 'doExchange';

/** DoGet, DoPut and DoExchange as the codec makes them (each also under its lower-case alias). */
interface FlightDataCalls {
  DoGet(argument: Ticket, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<FlightDataMessage>;
  DoGet(argument: Ticket, options?: grpc.CallOptions): grpc.ClientReadableStream<FlightDataMessage>;
  doGet(argument: Ticket, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<FlightDataMessage>;
  doGet(argument: Ticket, options?: grpc.CallOptions): grpc.ClientReadableStream<FlightDataMessage>;

  DoPut(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<FlightDataMessage, PutResult__Output>;
  DoPut(options?: grpc.CallOptions): grpc.ClientDuplexStream<FlightDataMessage, PutResult__Output>;
  doPut(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<FlightDataMessage, PutResult__Output>;
  doPut(options?: grpc.CallOptions): grpc.ClientDuplexStream<FlightDataMessage, PutResult__Output>;

  DoExchange(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<FlightDataMessage, FlightDataMessage>;
  DoExchange(options?: grpc.CallOptions): grpc.ClientDuplexStream<FlightDataMessage, FlightDataMessage>;
  doExchange(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<FlightDataMessage, FlightDataMessage>;
  doExchange(options?: grpc.CallOptions): grpc.ClientDuplexStream<FlightDataMessage, FlightDataMessage>;
}

/** A grpc-js client of the Flight service made by createFlightServiceClient (channel.ts). */
export interface FlightServiceClient extends grpc.Client, Omit<GeneratedFlightServiceClient, keyof grpc.Client | FlightDataMethod>, FlightDataCalls {}
