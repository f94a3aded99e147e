// Original file: proto/FlightSql.proto


export interface CommandGetCrossReference {
  'pk_catalog'?: (string);
  'pk_db_schema'?: (string);
  'pk_table'?: (string);
  'fk_catalog'?: (string);
  'fk_db_schema'?: (string);
  'fk_table'?: (string);
  '_pk_catalog'?: "pk_catalog";
  '_pk_db_schema'?: "pk_db_schema";
  '_fk_catalog'?: "fk_catalog";
  '_fk_db_schema'?: "fk_db_schema";
}

export interface CommandGetCrossReference__Output {
  'pk_catalog'?: (string);
  'pk_db_schema'?: (string);
  'pk_table': (string);
  'fk_catalog'?: (string);
  'fk_db_schema'?: (string);
  'fk_table': (string);
  '_pk_catalog'?: "pk_catalog";
  '_pk_db_schema'?: "pk_db_schema";
  '_fk_catalog'?: "fk_catalog";
  '_fk_db_schema'?: "fk_db_schema";
}
