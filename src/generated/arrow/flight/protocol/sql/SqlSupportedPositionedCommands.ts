// Original file: proto/FlightSql.proto

export const SqlSupportedPositionedCommands = {
  SQL_POSITIONED_DELETE: 'SQL_POSITIONED_DELETE',
  SQL_POSITIONED_UPDATE: 'SQL_POSITIONED_UPDATE',
} as const;

export type SqlSupportedPositionedCommands =
  | 'SQL_POSITIONED_DELETE'
  | 0
  | 'SQL_POSITIONED_UPDATE'
  | 1

export type SqlSupportedPositionedCommands__Output = typeof SqlSupportedPositionedCommands[keyof typeof SqlSupportedPositionedCommands]
