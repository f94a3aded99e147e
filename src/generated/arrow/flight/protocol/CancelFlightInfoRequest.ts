// Original file: proto/Flight.proto

import type { FlightInfo as _arrow_flight_protocol_FlightInfo, FlightInfo__Output as _arrow_flight_protocol_FlightInfo__Output } from '../../../arrow/flight/protocol/FlightInfo';

export interface CancelFlightInfoRequest {
  'info'?: (_arrow_flight_protocol_FlightInfo | null);
}

export interface CancelFlightInfoRequest__Output {
  'info': (_arrow_flight_protocol_FlightInfo__Output | null);
}
