// Original file: proto/Flight.proto

import type { FlightInfo as _arrow_flight_protocol_FlightInfo, FlightInfo__Output as _arrow_flight_protocol_FlightInfo__Output } from '../../../arrow/flight/protocol/FlightInfo';
import type { FlightDescriptor as _arrow_flight_protocol_FlightDescriptor, FlightDescriptor__Output as _arrow_flight_protocol_FlightDescriptor__Output } from '../../../arrow/flight/protocol/FlightDescriptor';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';

export interface PollInfo {
  'info'?: (_arrow_flight_protocol_FlightInfo | null);
  'flight_descriptor'?: (_arrow_flight_protocol_FlightDescriptor | null);
  'progress'?: (number | string);
  'expiration_time'?: (_google_protobuf_Timestamp | null);
  '_progress'?: "progress";
}

export interface PollInfo__Output {
  'info': (_arrow_flight_protocol_FlightInfo__Output | null);
  'flight_descriptor': (_arrow_flight_protocol_FlightDescriptor__Output | null);
  'progress'?: (number);
  'expiration_time': (_google_protobuf_Timestamp__Output | null);
  '_progress'?: "progress";
}
