// Original file: proto/FlightSql.proto


export interface CommandPreparedStatementUpdate {
  'prepared_statement_handle'?: (Buffer | Uint8Array | string);
}

export interface CommandPreparedStatementUpdate__Output {
  'prepared_statement_handle': (Buffer);
}
