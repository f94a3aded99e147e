// Original file: proto/FlightSql.proto

export const UpdateDeleteRules = {
  CASCADE: 'CASCADE',
  RESTRICT: 'RESTRICT',
  SET_NULL: 'SET_NULL',
  NO_ACTION: 'NO_ACTION',
  SET_DEFAULT: 'SET_DEFAULT',
} as const;

export type UpdateDeleteRules =
  | 'CASCADE'
  | 0
  | 'RESTRICT'
  | 1
  | 'SET_NULL'
  | 2
  | 'NO_ACTION'
  | 3
  | 'SET_DEFAULT'
  | 4

export type UpdateDeleteRules__Output = typeof UpdateDeleteRules[keyof typeof UpdateDeleteRules]
