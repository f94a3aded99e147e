// Original file: proto/FlightSql.proto


export interface ActionClosePreparedStatementRequest {
  'prepared_statement_handle'?: (Buffer | Uint8Array | string);
}

export interface ActionClosePreparedStatementRequest__Output {
  'prepared_statement_handle': (Buffer);
}
