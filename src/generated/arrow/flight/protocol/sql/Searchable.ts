// Original file: proto/FlightSql.proto

export const Searchable = {
  SEARCHABLE_NONE: 'SEARCHABLE_NONE',
  SEARCHABLE_CHAR: 'SEARCHABLE_CHAR',
  SEARCHABLE_BASIC: 'SEARCHABLE_BASIC',
  SEARCHABLE_FULL: 'SEARCHABLE_FULL',
} as const;

export type Searchable =
  | 'SEARCHABLE_NONE'
  | 0
  | 'SEARCHABLE_CHAR'
  | 1
  | 'SEARCHABLE_BASIC'
  | 2
  | 'SEARCHABLE_FULL'
  | 3

export type Searchable__Output = typeof Searchable[keyof typeof Searchable]
