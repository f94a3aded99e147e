// Original file: proto/FlightSql.proto


export interface SubstraitPlan {
  'plan'?: (Buffer | Uint8Array | string);
  'version'?: (string);
}

export interface SubstraitPlan__Output {
  'plan': (Buffer);
  'version': (string);
}
