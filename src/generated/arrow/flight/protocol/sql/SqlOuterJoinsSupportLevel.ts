// Original file: proto/FlightSql.proto

export const SqlOuterJoinsSupportLevel = {
  SQL_JOINS_UNSUPPORTED: 'SQL_JOINS_UNSUPPORTED',
  SQL_LIMITED_OUTER_JOINS: 'SQL_LIMITED_OUTER_JOINS',
  SQL_FULL_OUTER_JOINS: 'SQL_FULL_OUTER_JOINS',
} as const;

export type SqlOuterJoinsSupportLevel =
  | 'SQL_JOINS_UNSUPPORTED'
  | 0
  | 'SQL_LIMITED_OUTER_JOINS'
  | 1
  | 'SQL_FULL_OUTER_JOINS'
  | 2

export type SqlOuterJoinsSupportLevel__Output = typeof SqlOuterJoinsSupportLevel[keyof typeof SqlOuterJoinsSupportLevel]
