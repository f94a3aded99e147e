// Original file: proto/FlightSql.proto


export interface CommandGetDbSchemas {
  'catalog'?: (string);
  'db_schema_filter_pattern'?: (string);
  '_catalog'?: "catalog";
  '_db_schema_filter_pattern'?: "db_schema_filter_pattern";
}

export interface CommandGetDbSchemas__Output {
  'catalog'?: (string);
  'db_schema_filter_pattern'?: (string);
  '_catalog'?: "catalog";
  '_db_schema_filter_pattern'?: "db_schema_filter_pattern";
}
