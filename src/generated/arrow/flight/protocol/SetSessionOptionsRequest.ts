// Original file: proto/Flight.proto

import type { SessionOptionValue as _arrow_flight_protocol_SessionOptionValue, SessionOptionValue__Output as _arrow_flight_protocol_SessionOptionValue__Output } from '../../../arrow/flight/protocol/SessionOptionValue';

export interface SetSessionOptionsRequest {
  'session_options'?: ({[key: string]: _arrow_flight_protocol_SessionOptionValue});
}

export interface SetSessionOptionsRequest__Output {
  'session_options': ({[key: string]: _arrow_flight_protocol_SessionOptionValue__Output});
}
