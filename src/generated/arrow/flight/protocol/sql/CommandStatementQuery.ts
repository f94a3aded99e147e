// Original file: proto/FlightSql.proto


export interface CommandStatementQuery {
  'query'?: (string);
  'transaction_id'?: (Buffer | Uint8Array | string);
  '_transaction_id'?: "transaction_id";
}

export interface CommandStatementQuery__Output {
  'query': (string);
  'transaction_id'?: (Buffer);
  '_transaction_id'?: "transaction_id";
}
