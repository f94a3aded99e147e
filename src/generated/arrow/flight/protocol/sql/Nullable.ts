// Original file: proto/FlightSql.proto

export const Nullable = {
  NULLABILITY_NO_NULLS: 'NULLABILITY_NO_NULLS',
  NULLABILITY_NULLABLE: 'NULLABILITY_NULLABLE',
  NULLABILITY_UNKNOWN: 'NULLABILITY_UNKNOWN',
} as const;

export type Nullable =
  | 'NULLABILITY_NO_NULLS'
  | 0
  | 'NULLABILITY_NULLABLE'
  | 1
  | 'NULLABILITY_UNKNOWN'
  | 2

export type Nullable__Output = typeof Nullable[keyof typeof Nullable]
