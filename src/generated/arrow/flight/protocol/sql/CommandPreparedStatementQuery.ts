// Original file: proto/FlightSql.proto


export interface CommandPreparedStatementQuery {
  'prepared_statement_handle'?: (Buffer | Uint8Array | string);
}

export interface CommandPreparedStatementQuery__Output {
  'prepared_statement_handle': (Buffer);
}
