// Original file: proto/FlightSql.proto

export const SqlSupportedElementActions = {
  SQL_ELEMENT_IN_PROCEDURE_CALLS: 'SQL_ELEMENT_IN_PROCEDURE_CALLS',
  SQL_ELEMENT_IN_INDEX_DEFINITIONS: 'SQL_ELEMENT_IN_INDEX_DEFINITIONS',
  SQL_ELEMENT_IN_PRIVILEGE_DEFINITIONS: 'SQL_ELEMENT_IN_PRIVILEGE_DEFINITIONS',
} as const;

export type SqlSupportedElementActions =
  | 'SQL_ELEMENT_IN_PROCEDURE_CALLS'
  | 0
  | 'SQL_ELEMENT_IN_INDEX_DEFINITIONS'
  | 1
  | 'SQL_ELEMENT_IN_PRIVILEGE_DEFINITIONS'
  | 2

export type SqlSupportedElementActions__Output = typeof SqlSupportedElementActions[keyof typeof SqlSupportedElementActions]
