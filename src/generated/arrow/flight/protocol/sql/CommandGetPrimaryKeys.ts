// Original file: proto/FlightSql.proto


export interface CommandGetPrimaryKeys {
  'catalog'?: (string);
  'db_schema'?: (string);
  'table'?: (string);
  '_catalog'?: "catalog";
  '_db_schema'?: "db_schema";
}

export interface CommandGetPrimaryKeys__Output {
  'catalog'?: (string);
  'db_schema'?: (string);
  'table': (string);
  '_catalog'?: "catalog";
  '_db_schema'?: "db_schema";
}
