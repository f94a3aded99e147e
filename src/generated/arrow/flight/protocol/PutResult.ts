// Original file: proto/Flight.proto


export interface PutResult {
  'app_metadata'?: (Buffer | Uint8Array | string);
}

export interface PutResult__Output {
  'app_metadata': (Buffer);
}
