// Original file: proto/Flight.proto


// Original file: proto/Flight.proto

export const _arrow_flight_protocol_FlightDescriptor_DescriptorType = {
  UNKNOWN: 'UNKNOWN',
  PATH: 'PATH',
  CMD: 'CMD',
} as const;

export type _arrow_flight_protocol_FlightDescriptor_DescriptorType =
  | 'UNKNOWN'
  | 0
  | 'PATH'
  | 1
  | 'CMD'
  | 2

export type _arrow_flight_protocol_FlightDescriptor_DescriptorType__Output = typeof _arrow_flight_protocol_FlightDescriptor_DescriptorType[keyof typeof _arrow_flight_protocol_FlightDescriptor_DescriptorType]

export interface FlightDescriptor {
  'type'?: (_arrow_flight_protocol_FlightDescriptor_DescriptorType);
  'cmd'?: (Buffer | Uint8Array | string);
  'path'?: (string)[];
}

export interface FlightDescriptor__Output {
  'type': (_arrow_flight_protocol_FlightDescriptor_DescriptorType__Output);
  'cmd': (Buffer);
  'path': (string)[];
}
