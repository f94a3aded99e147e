// Original file: proto/Flight.proto


export interface BasicAuth {
  'username'?: (string);
  'password'?: (string);
}

export interface BasicAuth__Output {
  'username': (string);
  'password': (string);
}
