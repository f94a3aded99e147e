// Original file: proto/Flight.proto


export interface Action {
  'type'?: (string);
  'body'?: (Buffer | Uint8Array | string);
}

export interface Action__Output {
  'type': (string);
  'body': (Buffer);
}
