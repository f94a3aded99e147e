// Original file: proto/FlightSql.proto

import type { Long } from '@grpc/proto-loader';

export interface DoPutUpdateResult {
  'record_count'?: (number | string | Long);
}

export interface DoPutUpdateResult__Output {
  'record_count': (number);
}
