// Original file: proto/FlightSql.proto

export const SqlNullOrdering = {
  SQL_NULLS_SORTED_HIGH: 'SQL_NULLS_SORTED_HIGH',
  SQL_NULLS_SORTED_LOW: 'SQL_NULLS_SORTED_LOW',
  SQL_NULLS_SORTED_AT_START: 'SQL_NULLS_SORTED_AT_START',
  SQL_NULLS_SORTED_AT_END: 'SQL_NULLS_SORTED_AT_END',
} as const;

export type SqlNullOrdering =
  | 'SQL_NULLS_SORTED_HIGH'
  | 0
  | 'SQL_NULLS_SORTED_LOW'
  | 1
  | 'SQL_NULLS_SORTED_AT_START'
  | 2
  | 'SQL_NULLS_SORTED_AT_END'
  | 3

export type SqlNullOrdering__Output = typeof SqlNullOrdering[keyof typeof SqlNullOrdering]
