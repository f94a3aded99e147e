// Original file: proto/Flight.proto


export interface Criteria {
  'expression'?: (Buffer | Uint8Array | string);
}

export interface Criteria__Output {
  'expression': (Buffer);
}
