// Original file: proto/FlightSql.proto


export interface CommandStatementUpdate {
  'query'?: (string);
  'transaction_id'?: (Buffer | Uint8Array | string);
  '_transaction_id'?: "transaction_id";
}

export interface CommandStatementUpdate__Output {
  'query': (string);
  'transaction_id'?: (Buffer);
  '_transaction_id'?: "transaction_id";
}
