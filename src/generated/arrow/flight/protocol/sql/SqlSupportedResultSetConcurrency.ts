// Original file: proto/FlightSql.proto

export const SqlSupportedResultSetConcurrency = {
  SQL_RESULT_SET_CONCURRENCY_UNSPECIFIED: 'SQL_RESULT_SET_CONCURRENCY_UNSPECIFIED',
  SQL_RESULT_SET_CONCURRENCY_READ_ONLY: 'SQL_RESULT_SET_CONCURRENCY_READ_ONLY',
  SQL_RESULT_SET_CONCURRENCY_UPDATABLE: 'SQL_RESULT_SET_CONCURRENCY_UPDATABLE',
} as const;

export type SqlSupportedResultSetConcurrency =
  | 'SQL_RESULT_SET_CONCURRENCY_UNSPECIFIED'
  | 0
  | 'SQL_RESULT_SET_CONCURRENCY_READ_ONLY'
  | 1
  | 'SQL_RESULT_SET_CONCURRENCY_UPDATABLE'
  | 2

export type SqlSupportedResultSetConcurrency__Output = typeof SqlSupportedResultSetConcurrency[keyof typeof SqlSupportedResultSetConcurrency]
