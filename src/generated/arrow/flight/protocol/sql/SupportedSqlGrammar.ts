// Original file: proto/FlightSql.proto

export const SupportedSqlGrammar = {
  SQL_MINIMUM_GRAMMAR: 'SQL_MINIMUM_GRAMMAR',
  SQL_CORE_GRAMMAR: 'SQL_CORE_GRAMMAR',
  SQL_EXTENDED_GRAMMAR: 'SQL_EXTENDED_GRAMMAR',
} as const;

export type SupportedSqlGrammar =
  | 'SQL_MINIMUM_GRAMMAR'
  | 0
  | 'SQL_CORE_GRAMMAR'
  | 1
  | 'SQL_EXTENDED_GRAMMAR'
  | 2

export type SupportedSqlGrammar__Output = typeof SupportedSqlGrammar[keyof typeof SupportedSqlGrammar]
