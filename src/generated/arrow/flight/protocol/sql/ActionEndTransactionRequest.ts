// Original file: proto/FlightSql.proto


// Original file: proto/FlightSql.proto

export const _arrow_flight_protocol_sql_ActionEndTransactionRequest_EndTransaction = {
  END_TRANSACTION_UNSPECIFIED: 'END_TRANSACTION_UNSPECIFIED',
  END_TRANSACTION_COMMIT: 'END_TRANSACTION_COMMIT',
  END_TRANSACTION_ROLLBACK: 'END_TRANSACTION_ROLLBACK',
} as const;

export type _arrow_flight_protocol_sql_ActionEndTransactionRequest_EndTransaction =
  | 'END_TRANSACTION_UNSPECIFIED'
  | 0
  | 'END_TRANSACTION_COMMIT'
  | 1
  | 'END_TRANSACTION_ROLLBACK'
  | 2

export type _arrow_flight_protocol_sql_ActionEndTransactionRequest_EndTransaction__Output = typeof _arrow_flight_protocol_sql_ActionEndTransactionRequest_EndTransaction[keyof typeof _arrow_flight_protocol_sql_ActionEndTransactionRequest_EndTransaction]

export interface ActionEndTransactionRequest {
  'transaction_id'?: (Buffer | Uint8Array | string);
  'action'?: (_arrow_flight_protocol_sql_ActionEndTransactionRequest_EndTransaction);
}

export interface ActionEndTransactionRequest__Output {
  'transaction_id': (Buffer);
  'action': (_arrow_flight_protocol_sql_ActionEndTransactionRequest_EndTransaction__Output);
}
