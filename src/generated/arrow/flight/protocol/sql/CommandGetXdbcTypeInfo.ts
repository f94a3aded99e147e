// Original file: proto/FlightSql.proto


export interface CommandGetXdbcTypeInfo {
  'data_type'?: (number);
  '_data_type'?: "data_type";
}

export interface CommandGetXdbcTypeInfo__Output {
  'data_type'?: (number);
  '_data_type'?: "data_type";
}
