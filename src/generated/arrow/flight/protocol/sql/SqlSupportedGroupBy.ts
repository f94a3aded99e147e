// Original file: proto/FlightSql.proto

export const SqlSupportedGroupBy = {
  SQL_GROUP_BY_UNRELATED: 'SQL_GROUP_BY_UNRELATED',
  SQL_GROUP_BY_BEYOND_SELECT: 'SQL_GROUP_BY_BEYOND_SELECT',
} as const;

export type SqlSupportedGroupBy =
  | 'SQL_GROUP_BY_UNRELATED'
  | 0
  | 'SQL_GROUP_BY_BEYOND_SELECT'
  | 1

export type SqlSupportedGroupBy__Output = typeof SqlSupportedGroupBy[keyof typeof SqlSupportedGroupBy]
