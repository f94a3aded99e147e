// Original file: proto/FlightSql.proto


export interface CommandGetImportedKeys {
  'catalog'?: (string);
  'db_schema'?: (string);
  'table'?: (string);
  '_catalog'?: "catalog";
  '_db_schema'?: "db_schema";
}

export interface CommandGetImportedKeys__Output {
  'catalog'?: (string);
  'db_schema'?: (string);
  'table': (string);
  '_catalog'?: "catalog";
  '_db_schema'?: "db_schema";
}
