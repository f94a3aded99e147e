// Original file: proto/FlightSql.proto


export interface ActionCreatePreparedStatementResult {
  'prepared_statement_handle'?: (Buffer | Uint8Array | string);
  'dataset_schema'?: (Buffer | Uint8Array | string);
  'parameter_schema'?: (Buffer | Uint8Array | string);
  'is_update'?: (boolean);
  '_is_update'?: "is_update";
}

export interface ActionCreatePreparedStatementResult__Output {
  'prepared_statement_handle': (Buffer);
  'dataset_schema': (Buffer);
  'parameter_schema': (Buffer);
  'is_update'?: (boolean);
  '_is_update'?: "is_update";
}
