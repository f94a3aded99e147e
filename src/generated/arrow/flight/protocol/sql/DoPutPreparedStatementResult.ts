// Original file: proto/FlightSql.proto


export interface DoPutPreparedStatementResult {
  'prepared_statement_handle'?: (Buffer | Uint8Array | string);
  '_prepared_statement_handle'?: "prepared_statement_handle";
}

export interface DoPutPreparedStatementResult__Output {
  'prepared_statement_handle'?: (Buffer);
  '_prepared_statement_handle'?: "prepared_statement_handle";
}
