// Original file: proto/FlightSql.proto


export interface CommandGetSqlInfo {
  'info'?: (number)[];
}

export interface CommandGetSqlInfo__Output {
  'info': (number)[];
}
