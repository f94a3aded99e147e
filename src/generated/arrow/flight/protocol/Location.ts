// Original file: proto/Flight.proto


export interface Location {
  'uri'?: (string);
}

export interface Location__Output {
  'uri': (string);
}
