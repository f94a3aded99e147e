// Original file: proto/FlightSql.proto


export interface ActionBeginSavepointRequest {
  'transaction_id'?: (Buffer | Uint8Array | string);
  'name'?: (string);
}

export interface ActionBeginSavepointRequest__Output {
  'transaction_id': (Buffer);
  'name': (string);
}
