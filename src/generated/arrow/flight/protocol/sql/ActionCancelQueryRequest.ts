// Original file: proto/FlightSql.proto


export interface ActionCancelQueryRequest {
  'info'?: (Buffer | Uint8Array | string);
}

export interface ActionCancelQueryRequest__Output {
  'info': (Buffer);
}
