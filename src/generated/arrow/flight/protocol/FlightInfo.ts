// Original file: proto/Flight.proto

import type { FlightDescriptor as _arrow_flight_protocol_FlightDescriptor, FlightDescriptor__Output as _arrow_flight_protocol_FlightDescriptor__Output } from '../../../arrow/flight/protocol/FlightDescriptor';
import type { FlightEndpoint as _arrow_flight_protocol_FlightEndpoint, FlightEndpoint__Output as _arrow_flight_protocol_FlightEndpoint__Output } from '../../../arrow/flight/protocol/FlightEndpoint';
import type { Long } from '@grpc/proto-loader';

export interface FlightInfo {
  'schema'?: (Buffer | Uint8Array | string);
  'flight_descriptor'?: (_arrow_flight_protocol_FlightDescriptor | null);
  'endpoint'?: (_arrow_flight_protocol_FlightEndpoint)[];
  'total_records'?: (number | string | Long);
  'total_bytes'?: (number | string | Long);
  'ordered'?: (boolean);
  'app_metadata'?: (Buffer | Uint8Array | string);
}

export interface FlightInfo__Output {
  'schema': (Buffer);
  'flight_descriptor': (_arrow_flight_protocol_FlightDescriptor__Output | null);
  'endpoint': (_arrow_flight_protocol_FlightEndpoint__Output)[];
  'total_records': (number);
  'total_bytes': (number);
  'ordered': (boolean);
  'app_metadata': (Buffer);
}
