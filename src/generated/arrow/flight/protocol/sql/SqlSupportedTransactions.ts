// Original file: proto/FlightSql.proto

export const SqlSupportedTransactions = {
  SQL_TRANSACTION_UNSPECIFIED: 'SQL_TRANSACTION_UNSPECIFIED',
  SQL_DATA_DEFINITION_TRANSACTIONS: 'SQL_DATA_DEFINITION_TRANSACTIONS',
  SQL_DATA_MANIPULATION_TRANSACTIONS: 'SQL_DATA_MANIPULATION_TRANSACTIONS',
} as const;

export type SqlSupportedTransactions =
  | 'SQL_TRANSACTION_UNSPECIFIED'
  | 0
  | 'SQL_DATA_DEFINITION_TRANSACTIONS'
  | 1
  | 'SQL_DATA_MANIPULATION_TRANSACTIONS'
  | 2

export type SqlSupportedTransactions__Output = typeof SqlSupportedTransactions[keyof typeof SqlSupportedTransactions]
