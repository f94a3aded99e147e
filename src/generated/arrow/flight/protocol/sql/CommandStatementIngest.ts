// Original file: proto/FlightSql.proto


export interface _arrow_flight_protocol_sql_CommandStatementIngest_TableDefinitionOptions {
  'if_not_exist'?: (_arrow_flight_protocol_sql_CommandStatementIngest_TableDefinitionOptions_TableNotExistOption);
  'if_exists'?: (_arrow_flight_protocol_sql_CommandStatementIngest_TableDefinitionOptions_TableExistsOption);
}

export interface _arrow_flight_protocol_sql_CommandStatementIngest_TableDefinitionOptions__Output {
  'if_not_exist': (_arrow_flight_protocol_sql_CommandStatementIngest_TableDefinitionOptions_TableNotExistOption__Output);
  'if_exists': (_arrow_flight_protocol_sql_CommandStatementIngest_TableDefinitionOptions_TableExistsOption__Output);
}

// Original file: proto/FlightSql.proto

export const _arrow_flight_protocol_sql_CommandStatementIngest_TableDefinitionOptions_TableExistsOption = {
  TABLE_EXISTS_OPTION_UNSPECIFIED: 'TABLE_EXISTS_OPTION_UNSPECIFIED',
  TABLE_EXISTS_OPTION_FAIL: 'TABLE_EXISTS_OPTION_FAIL',
  TABLE_EXISTS_OPTION_APPEND: 'TABLE_EXISTS_OPTION_APPEND',
  TABLE_EXISTS_OPTION_REPLACE: 'TABLE_EXISTS_OPTION_REPLACE',
} as const;

export type _arrow_flight_protocol_sql_CommandStatementIngest_TableDefinitionOptions_TableExistsOption =
  | 'TABLE_EXISTS_OPTION_UNSPECIFIED'
  | 0
  | 'TABLE_EXISTS_OPTION_FAIL'
  | 1
  | 'TABLE_EXISTS_OPTION_APPEND'
  | 2
  | 'TABLE_EXISTS_OPTION_REPLACE'
  | 3

export type _arrow_flight_protocol_sql_CommandStatementIngest_TableDefinitionOptions_TableExistsOption__Output = typeof _arrow_flight_protocol_sql_CommandStatementIngest_TableDefinitionOptions_TableExistsOption[keyof typeof _arrow_flight_protocol_sql_CommandStatementIngest_TableDefinitionOptions_TableExistsOption]

// Original file: proto/FlightSql.proto

export const _arrow_flight_protocol_sql_CommandStatementIngest_TableDefinitionOptions_TableNotExistOption = {
  TABLE_NOT_EXIST_OPTION_UNSPECIFIED: 'TABLE_NOT_EXIST_OPTION_UNSPECIFIED',
  TABLE_NOT_EXIST_OPTION_CREATE: 'TABLE_NOT_EXIST_OPTION_CREATE',
  TABLE_NOT_EXIST_OPTION_FAIL: 'TABLE_NOT_EXIST_OPTION_FAIL',
} as const;

export type _arrow_flight_protocol_sql_CommandStatementIngest_TableDefinitionOptions_TableNotExistOption =
  | 'TABLE_NOT_EXIST_OPTION_UNSPECIFIED'
  | 0
  | 'TABLE_NOT_EXIST_OPTION_CREATE'
  | 1
  | 'TABLE_NOT_EXIST_OPTION_FAIL'
  | 2

export type _arrow_flight_protocol_sql_CommandStatementIngest_TableDefinitionOptions_TableNotExistOption__Output = typeof _arrow_flight_protocol_sql_CommandStatementIngest_TableDefinitionOptions_TableNotExistOption[keyof typeof _arrow_flight_protocol_sql_CommandStatementIngest_TableDefinitionOptions_TableNotExistOption]

export interface CommandStatementIngest {
  'table_definition_options'?: (_arrow_flight_protocol_sql_CommandStatementIngest_TableDefinitionOptions | null);
  'table'?: (string);
  'schema'?: (string);
  'catalog'?: (string);
  'temporary'?: (boolean);
  'transaction_id'?: (Buffer | Uint8Array | string);
  'options'?: ({[key: string]: string});
  '_schema'?: "schema";
  '_catalog'?: "catalog";
  '_transaction_id'?: "transaction_id";
}

export interface CommandStatementIngest__Output {
  'table_definition_options': (_arrow_flight_protocol_sql_CommandStatementIngest_TableDefinitionOptions__Output | null);
  'table': (string);
  'schema'?: (string);
  'catalog'?: (string);
  'temporary': (boolean);
  'transaction_id'?: (Buffer);
  'options': ({[key: string]: string});
  '_schema'?: "schema";
  '_catalog'?: "catalog";
  '_transaction_id'?: "transaction_id";
}
