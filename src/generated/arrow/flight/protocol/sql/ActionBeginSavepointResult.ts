// Original file: proto/FlightSql.proto


export interface ActionBeginSavepointResult {
  'savepoint_id'?: (Buffer | Uint8Array | string);
}

export interface ActionBeginSavepointResult__Output {
  'savepoint_id': (Buffer);
}
