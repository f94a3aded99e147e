// Original file: proto/Flight.proto

import type { Long } from '@grpc/proto-loader';

export interface _arrow_flight_protocol_SessionOptionValue_StringListValue {
  'values'?: (string)[];
}

export interface _arrow_flight_protocol_SessionOptionValue_StringListValue__Output {
  'values': (string)[];
}

export interface SessionOptionValue {
  'string_value'?: (string);
  'bool_value'?: (boolean);
  'int64_value'?: (number | string | Long);
  'double_value'?: (number | string);
  'string_list_value'?: (_arrow_flight_protocol_SessionOptionValue_StringListValue | null);
  'option_value'?: "string_value"|"bool_value"|"int64_value"|"double_value"|"string_list_value";
}

export interface SessionOptionValue__Output {
  'string_value'?: (string);
  'bool_value'?: (boolean);
  'int64_value'?: (number);
  'double_value'?: (number);
  'string_list_value'?: (_arrow_flight_protocol_SessionOptionValue_StringListValue__Output | null);
  'option_value'?: "string_value"|"bool_value"|"int64_value"|"double_value"|"string_list_value";
}
