// Original file: proto/FlightSql.proto

export const SupportedAnsi92SqlGrammarLevel = {
  ANSI92_ENTRY_SQL: 'ANSI92_ENTRY_SQL',
  ANSI92_INTERMEDIATE_SQL: 'ANSI92_INTERMEDIATE_SQL',
  ANSI92_FULL_SQL: 'ANSI92_FULL_SQL',
} as const;

export type SupportedAnsi92SqlGrammarLevel =
  | 'ANSI92_ENTRY_SQL'
  | 0
  | 'ANSI92_INTERMEDIATE_SQL'
  | 1
  | 'ANSI92_FULL_SQL'
  | 2

export type SupportedAnsi92SqlGrammarLevel__Output = typeof SupportedAnsi92SqlGrammarLevel[keyof typeof SupportedAnsi92SqlGrammarLevel]
