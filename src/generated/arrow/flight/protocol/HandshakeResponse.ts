// Original file: proto/Flight.proto

import type { Long } from '@grpc/proto-loader';

export interface HandshakeResponse {
  'protocol_version'?: (number | string | Long);
  'payload'?: (Buffer | Uint8Array | string);
}

export interface HandshakeResponse__Output {
  'protocol_version': (number);
  'payload': (Buffer);
}
