// Original file: proto/Flight.proto


export interface _arrow_flight_protocol_SetSessionOptionsResult_Error {
  'value'?: (_arrow_flight_protocol_SetSessionOptionsResult_ErrorValue);
}

export interface _arrow_flight_protocol_SetSessionOptionsResult_Error__Output {
  'value': (_arrow_flight_protocol_SetSessionOptionsResult_ErrorValue__Output);
}

// Original file: proto/Flight.proto

export const _arrow_flight_protocol_SetSessionOptionsResult_ErrorValue = {
  UNSPECIFIED: 'UNSPECIFIED',
  INVALID_NAME: 'INVALID_NAME',
  INVALID_VALUE: 'INVALID_VALUE',
  ERROR: 'ERROR',
} as const;

export type _arrow_flight_protocol_SetSessionOptionsResult_ErrorValue =
  | 'UNSPECIFIED'
  | 0
  | 'INVALID_NAME'
  | 1
  | 'INVALID_VALUE'
  | 2
  | 'ERROR'
  | 3

export type _arrow_flight_protocol_SetSessionOptionsResult_ErrorValue__Output = typeof _arrow_flight_protocol_SetSessionOptionsResult_ErrorValue[keyof typeof _arrow_flight_protocol_SetSessionOptionsResult_ErrorValue]

export interface SetSessionOptionsResult {
  'errors'?: ({[key: string]: _arrow_flight_protocol_SetSessionOptionsResult_Error});
}

export interface SetSessionOptionsResult__Output {
  'errors': ({[key: string]: _arrow_flight_protocol_SetSessionOptionsResult_Error__Output});
}
