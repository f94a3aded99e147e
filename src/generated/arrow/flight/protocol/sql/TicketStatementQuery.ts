// Original file: proto/FlightSql.proto


export interface TicketStatementQuery {
  'statement_handle'?: (Buffer | Uint8Array | string);
}

export interface TicketStatementQuery__Output {
  'statement_handle': (Buffer);
}
