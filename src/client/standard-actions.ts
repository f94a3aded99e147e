// The protocol's standard actions, as typed values: request bodies encoded and result bodies
// decoded with the Flight protobuf definitions (CancelFlightInfo, RenewFlightEndpoint and the
// session option actions SetSessionOptions, GetSessionOptions, CloseSession).
import * as grpc from '@grpc/grpc-js';
import type { Schema } from 'apache-arrow';
import { framePrefix } from '../arrow/ipc-framing.ts';
import { encodeSchema } from '../arrow/ipc-message.ts';
import { decodeMessage, encodeMessage } from '../wire/protocol.ts';
import { FlightError } from './flight-error.ts';
import { fromEndpoint, toWireEndpoint, toWireFlightInfo, type FlightEndpoint, type FlightInfo } from './types.ts';

/** The outcome of CancelFlightInfo. */
export type CancelStatus = 'UNSPECIFIED' | 'CANCELLED' | 'CANCELLING' | 'NOT_CANCELLABLE';
/** The outcome of CloseSession. */
export type CloseSessionStatus = 'UNSPECIFIED' | 'CLOSED' | 'CLOSING' | 'NOT_CLOSEABLE';
/** Why a server refused to set an option (SetSessionOptionsResult.ErrorValue). */
export type SessionOptionError = 'UNSPECIFIED' | 'INVALID_NAME' | 'INVALID_VALUE' | 'ERROR';

/**
 * A session option value. The protocol's types map to: string, boolean, bigint (int64), number
 * (double) and string[] (string list). To remove an option, set it to null.
 */
export type SessionOptionValue = string | boolean | bigint | number | string[];

type WireOptionValue = {
  option_value?: string;
  string_value?: string;
  bool_value?: boolean;
  int64_value?: string;
  double_value?: number;
  string_list_value?: { values: string[] };
};

const schemaBytes = (schema: Schema) => framePrefix(encodeSchema(schema));

export function cancelFlightInfoBody(info: FlightInfo): Buffer {
  return encodeMessage('CancelFlightInfoRequest', { info: toWireFlightInfo(info, schemaBytes) });
}

export function cancelStatusOf(body: Uint8Array): CancelStatus {
  const { status } = decodeMessage<{ status: string }>('CancelFlightInfoResult', body);
  return status.replace(/^CANCEL_STATUS_/, '') as CancelStatus;
}

export function renewFlightEndpointBody(endpoint: FlightEndpoint): Buffer {
  return encodeMessage('RenewFlightEndpointRequest', { endpoint: toWireEndpoint(endpoint) });
}

export function renewedEndpointOf(body: Uint8Array): FlightEndpoint {
  return fromEndpoint(decodeMessage('FlightEndpoint', body));
}

function toWireValue(name: string, v: SessionOptionValue | null): WireOptionValue {
  if (v === null) return {};
  if (typeof v === 'string') return { string_value: v };
  if (typeof v === 'boolean') return { bool_value: v };
  if (typeof v === 'bigint') {
    if (v < -(2n ** 63n) || v >= 2n ** 63n) throw new RangeError(`session option ${name}: ${v} does not fit in an int64`);
    return { int64_value: v.toString() };
  }
  if (typeof v === 'number') return { double_value: v };
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return { string_list_value: { values: v } };
  throw new TypeError(`session option ${name}: unsupported value ${String(v)} (use string, boolean, bigint, number, string[] or null)`);
}

function fromWireValue(v: WireOptionValue): SessionOptionValue | null {
  switch (v.option_value) {
    case 'string_value': return v.string_value ?? '';
    case 'bool_value': return v.bool_value ?? false;
    case 'int64_value': return BigInt(v.int64_value ?? '0');
    case 'double_value': return v.double_value ?? 0;
    case 'string_list_value': return [...(v.string_list_value?.values ?? [])];
    default: return null;
  }
}

export function setSessionOptionsBody(options: Record<string, SessionOptionValue | null>): Buffer {
  const session_options = Object.fromEntries(Object.entries(options).map(([name, v]) => [name, toWireValue(name, v)]));
  return encodeMessage('SetSessionOptionsRequest', { session_options });
}

export function setSessionOptionsErrorsOf(body: Uint8Array): Record<string, SessionOptionError> {
  const { errors } = decodeMessage<{ errors: Record<string, { value: SessionOptionError }> }>('SetSessionOptionsResult', body);
  return Object.fromEntries(Object.entries(errors ?? {}).map(([name, e]) => [name, e.value]));
}

export function sessionOptionsOf(body: Uint8Array): Record<string, SessionOptionValue> {
  const { session_options } = decodeMessage<{ session_options: Record<string, WireOptionValue> }>('GetSessionOptionsResult', body, { longs: String });
  const out: Record<string, SessionOptionValue> = {};
  for (const [name, raw] of Object.entries(session_options ?? {})) {
    const value = fromWireValue(raw);
    if (value !== null) out[name] = value;
  }
  return out;
}

export function closeSessionStatusOf(body: Uint8Array): CloseSessionStatus {
  return decodeMessage<{ status: CloseSessionStatus }>('CloseSessionResult', body).status;
}

/** The one Result a standard action answers with. */
export function onlyResult(action: string, results: Uint8Array[]): Uint8Array {
  if (results.length !== 1) throw new FlightError(grpc.status.INTERNAL, `${action} should answer exactly one Result; the server sent ${results.length}`);
  return results[0]!;
}
