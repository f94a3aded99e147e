// Original file: proto/FlightSql.proto

export const SqlSupportedCaseSensitivity = {
  SQL_CASE_SENSITIVITY_UNKNOWN: 'SQL_CASE_SENSITIVITY_UNKNOWN',
  SQL_CASE_SENSITIVITY_CASE_INSENSITIVE: 'SQL_CASE_SENSITIVITY_CASE_INSENSITIVE',
  SQL_CASE_SENSITIVITY_UPPERCASE: 'SQL_CASE_SENSITIVITY_UPPERCASE',
  SQL_CASE_SENSITIVITY_LOWERCASE: 'SQL_CASE_SENSITIVITY_LOWERCASE',
} as const;

export type SqlSupportedCaseSensitivity =
  | 'SQL_CASE_SENSITIVITY_UNKNOWN'
  | 0
  | 'SQL_CASE_SENSITIVITY_CASE_INSENSITIVE'
  | 1
  | 'SQL_CASE_SENSITIVITY_UPPERCASE'
  | 2
  | 'SQL_CASE_SENSITIVITY_LOWERCASE'
  | 3

export type SqlSupportedCaseSensitivity__Output = typeof SqlSupportedCaseSensitivity[keyof typeof SqlSupportedCaseSensitivity]
