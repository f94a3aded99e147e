// Original file: proto/Flight.proto

import type { CancelStatus as _arrow_flight_protocol_CancelStatus, CancelStatus__Output as _arrow_flight_protocol_CancelStatus__Output } from '../../../arrow/flight/protocol/CancelStatus';

export interface CancelFlightInfoResult {
  'status'?: (_arrow_flight_protocol_CancelStatus);
}

export interface CancelFlightInfoResult__Output {
  'status': (_arrow_flight_protocol_CancelStatus__Output);
}
