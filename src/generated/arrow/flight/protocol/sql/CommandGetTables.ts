// Original file: proto/FlightSql.proto


export interface CommandGetTables {
  'catalog'?: (string);
  'db_schema_filter_pattern'?: (string);
  'table_name_filter_pattern'?: (string);
  'table_types'?: (string)[];
  'include_schema'?: (boolean);
  '_catalog'?: "catalog";
  '_db_schema_filter_pattern'?: "db_schema_filter_pattern";
  '_table_name_filter_pattern'?: "table_name_filter_pattern";
}

export interface CommandGetTables__Output {
  'catalog'?: (string);
  'db_schema_filter_pattern'?: (string);
  'table_name_filter_pattern'?: (string);
  'table_types': (string)[];
  'include_schema': (boolean);
  '_catalog'?: "catalog";
  '_db_schema_filter_pattern'?: "db_schema_filter_pattern";
  '_table_name_filter_pattern'?: "table_name_filter_pattern";
}
