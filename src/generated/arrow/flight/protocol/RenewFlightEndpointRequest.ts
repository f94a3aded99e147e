// Original file: proto/Flight.proto

import type { FlightEndpoint as _arrow_flight_protocol_FlightEndpoint, FlightEndpoint__Output as _arrow_flight_protocol_FlightEndpoint__Output } from '../../../arrow/flight/protocol/FlightEndpoint';

export interface RenewFlightEndpointRequest {
  'endpoint'?: (_arrow_flight_protocol_FlightEndpoint | null);
}

export interface RenewFlightEndpointRequest__Output {
  'endpoint': (_arrow_flight_protocol_FlightEndpoint__Output | null);
}
