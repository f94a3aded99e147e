// Original file: proto/Flight.proto


// Original file: proto/Flight.proto

export const _arrow_flight_protocol_CloseSessionResult_Status = {
  UNSPECIFIED: 'UNSPECIFIED',
  CLOSED: 'CLOSED',
  CLOSING: 'CLOSING',
  NOT_CLOSEABLE: 'NOT_CLOSEABLE',
} as const;

export type _arrow_flight_protocol_CloseSessionResult_Status =
  | 'UNSPECIFIED'
  | 0
  | 'CLOSED'
  | 1
  | 'CLOSING'
  | 2
  | 'NOT_CLOSEABLE'
  | 3

export type _arrow_flight_protocol_CloseSessionResult_Status__Output = typeof _arrow_flight_protocol_CloseSessionResult_Status[keyof typeof _arrow_flight_protocol_CloseSessionResult_Status]

export interface CloseSessionResult {
  'status'?: (_arrow_flight_protocol_CloseSessionResult_Status);
}

export interface CloseSessionResult__Output {
  'status': (_arrow_flight_protocol_CloseSessionResult_Status__Output);
}
