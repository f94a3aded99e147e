// Original file: proto/FlightSql.proto

export const SqlSupportedUnions = {
  SQL_UNION: 'SQL_UNION',
  SQL_UNION_ALL: 'SQL_UNION_ALL',
} as const;

export type SqlSupportedUnions =
  | 'SQL_UNION'
  | 0
  | 'SQL_UNION_ALL'
  | 1

export type SqlSupportedUnions__Output = typeof SqlSupportedUnions[keyof typeof SqlSupportedUnions]
