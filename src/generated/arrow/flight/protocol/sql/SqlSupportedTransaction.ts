// Original file: proto/FlightSql.proto

export const SqlSupportedTransaction = {
  SQL_SUPPORTED_TRANSACTION_NONE: 'SQL_SUPPORTED_TRANSACTION_NONE',
  SQL_SUPPORTED_TRANSACTION_TRANSACTION: 'SQL_SUPPORTED_TRANSACTION_TRANSACTION',
  SQL_SUPPORTED_TRANSACTION_SAVEPOINT: 'SQL_SUPPORTED_TRANSACTION_SAVEPOINT',
} as const;

export type SqlSupportedTransaction =
  | 'SQL_SUPPORTED_TRANSACTION_NONE'
  | 0
  | 'SQL_SUPPORTED_TRANSACTION_TRANSACTION'
  | 1
  | 'SQL_SUPPORTED_TRANSACTION_SAVEPOINT'
  | 2

export type SqlSupportedTransaction__Output = typeof SqlSupportedTransaction[keyof typeof SqlSupportedTransaction]
