// Original file: proto/FlightSql.proto

export const SqlSupportedSubqueries = {
  SQL_SUBQUERIES_IN_COMPARISONS: 'SQL_SUBQUERIES_IN_COMPARISONS',
  SQL_SUBQUERIES_IN_EXISTS: 'SQL_SUBQUERIES_IN_EXISTS',
  SQL_SUBQUERIES_IN_INS: 'SQL_SUBQUERIES_IN_INS',
  SQL_SUBQUERIES_IN_QUANTIFIEDS: 'SQL_SUBQUERIES_IN_QUANTIFIEDS',
} as const;

export type SqlSupportedSubqueries =
  | 'SQL_SUBQUERIES_IN_COMPARISONS'
  | 0
  | 'SQL_SUBQUERIES_IN_EXISTS'
  | 1
  | 'SQL_SUBQUERIES_IN_INS'
  | 2
  | 'SQL_SUBQUERIES_IN_QUANTIFIEDS'
  | 3

export type SqlSupportedSubqueries__Output = typeof SqlSupportedSubqueries[keyof typeof SqlSupportedSubqueries]
