// Original file: proto/FlightSql.proto


export interface ActionBeginTransactionResult {
  'transaction_id'?: (Buffer | Uint8Array | string);
}

export interface ActionBeginTransactionResult__Output {
  'transaction_id': (Buffer);
}
