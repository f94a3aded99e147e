// Original file: proto/FlightSql.proto

import type { SubstraitPlan as _arrow_flight_protocol_sql_SubstraitPlan, SubstraitPlan__Output as _arrow_flight_protocol_sql_SubstraitPlan__Output } from '../../../../arrow/flight/protocol/sql/SubstraitPlan';

export interface CommandStatementSubstraitPlan {
  'plan'?: (_arrow_flight_protocol_sql_SubstraitPlan | null);
  'transaction_id'?: (Buffer | Uint8Array | string);
  '_transaction_id'?: "transaction_id";
}

export interface CommandStatementSubstraitPlan__Output {
  'plan': (_arrow_flight_protocol_sql_SubstraitPlan__Output | null);
  'transaction_id'?: (Buffer);
  '_transaction_id'?: "transaction_id";
}
