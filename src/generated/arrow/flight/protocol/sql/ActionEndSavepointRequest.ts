// Original file: proto/FlightSql.proto


// Original file: proto/FlightSql.proto

export const _arrow_flight_protocol_sql_ActionEndSavepointRequest_EndSavepoint = {
  END_SAVEPOINT_UNSPECIFIED: 'END_SAVEPOINT_UNSPECIFIED',
  END_SAVEPOINT_RELEASE: 'END_SAVEPOINT_RELEASE',
  END_SAVEPOINT_ROLLBACK: 'END_SAVEPOINT_ROLLBACK',
} as const;

export type _arrow_flight_protocol_sql_ActionEndSavepointRequest_EndSavepoint =
  | 'END_SAVEPOINT_UNSPECIFIED'
  | 0
  | 'END_SAVEPOINT_RELEASE'
  | 1
  | 'END_SAVEPOINT_ROLLBACK'
  | 2

export type _arrow_flight_protocol_sql_ActionEndSavepointRequest_EndSavepoint__Output = typeof _arrow_flight_protocol_sql_ActionEndSavepointRequest_EndSavepoint[keyof typeof _arrow_flight_protocol_sql_ActionEndSavepointRequest_EndSavepoint]

export interface ActionEndSavepointRequest {
  'savepoint_id'?: (Buffer | Uint8Array | string);
  'action'?: (_arrow_flight_protocol_sql_ActionEndSavepointRequest_EndSavepoint);
}

export interface ActionEndSavepointRequest__Output {
  'savepoint_id': (Buffer);
  'action': (_arrow_flight_protocol_sql_ActionEndSavepointRequest_EndSavepoint__Output);
}
