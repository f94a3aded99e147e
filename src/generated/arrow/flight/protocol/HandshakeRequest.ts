// Original file: proto/Flight.proto

import type { Long } from '@grpc/proto-loader';

export interface HandshakeRequest {
  'protocol_version'?: (number | string | Long);
  'payload'?: (Buffer | Uint8Array | string);
}

export interface HandshakeRequest__Output {
  'protocol_version': (number);
  'payload': (Buffer);
}
