// Original file: proto/FlightSql.proto


export interface ActionCreatePreparedStatementRequest {
  'query'?: (string);
  'transaction_id'?: (Buffer | Uint8Array | string);
  '_transaction_id'?: "transaction_id";
}

export interface ActionCreatePreparedStatementRequest__Output {
  'query': (string);
  'transaction_id'?: (Buffer);
  '_transaction_id'?: "transaction_id";
}
