// Original file: proto/Flight.proto


export interface ActionType {
  'type'?: (string);
  'description'?: (string);
}

export interface ActionType__Output {
  'type': (string);
  'description': (string);
}
