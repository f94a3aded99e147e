// Flight session options: the standard SetSessionOptions, GetSessionOptions and CloseSession
// actions, with one option map per client session. A session is named by a cookie, as the
// protocol prescribes: clients (arrow-go's and Arrow Java's cookie middleware, browsers behind
// a proxy) keep what `Set-Cookie` gives them and send it back as `Cookie`. Sessions live in
// memory; a server restart or CloseSession ends them.
import { randomBytes } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import { decodeMessage, encodeMessage } from '../wire/protocol.ts';
import type { ResponseHeaders } from './response-headers.ts';

export const SESSION_COOKIE = 'arrow_flight_session_id';

/** A SessionOptionValue as decoded: exactly one of the value fields, or none ("remove"). */
export interface SessionOptionValue {
  string_value?: string;
  bool_value?: boolean;
  /** A decimal string as decoded, so values beyond 2^53 stay exact. */
  int64_value?: number | string;
  double_value?: number;
  string_list_value?: { values: string[] };
}

export type OptionError = 'INVALID_NAME' | 'INVALID_VALUE' | 'ERROR';

/** Decides whether an option may be set; null accepts it. The server's own rules live here. */
export type OptionPolicy = (name: string, value: SessionOptionValue) => OptionError | null;

interface CallSide {
  metadata: grpc.Metadata;
  response: ResponseHeaders;
}

const VALUE_FIELDS = ['string_value', 'bool_value', 'int64_value', 'double_value', 'string_list_value'] as const;

/** The value without protobufjs's oneof marker, or null when no value is set. */
function valueOf(v: SessionOptionValue & { option_value?: string }): SessionOptionValue | null {
  const field = VALUE_FIELDS.find((f) => f === v.option_value) ?? VALUE_FIELDS.find((f) => v[f] !== undefined && v[f] !== null);
  return field ? { [field]: v[field] } as SessionOptionValue : null;
}

export class SessionOptionsStore {
  private readonly sessions = new Map<string, Map<string, SessionOptionValue>>();

  constructor(private readonly policy: OptionPolicy = () => null, private readonly maxSessions = 10_000) {}

  /** SetSessionOptions: body SetSessionOptionsRequest, result SetSessionOptionsResult. */
  set(body: Uint8Array, call: CallSide): Buffer {
    const req = decodeMessage<{ session_options: Record<string, SessionOptionValue> }>('SetSessionOptionsRequest', body, { longs: String });
    const options = this.session(call, true)!;
    const errors: Record<string, { value: OptionError }> = {};
    for (const [name, raw] of Object.entries(req.session_options ?? {})) {
      const value = valueOf(raw);
      const refused = value ? this.policy(name, value) : null;
      if (refused) errors[name] = { value: refused };
      else if (value) options.set(name, value);
      else options.delete(name);
    }
    return encodeMessage('SetSessionOptionsResult', { errors });
  }

  /** GetSessionOptions: an empty map for a caller without a session (no cookie is issued). */
  get(body: Uint8Array, call: CallSide): Buffer {
    decodeMessage('GetSessionOptionsRequest', body);
    const options = this.session(call, false);
    return encodeMessage('GetSessionOptionsResult', { session_options: Object.fromEntries(options ?? []) });
  }

  /** CloseSession: forgets the session and tells the client to drop the cookie. Idempotent. */
  close(body: Uint8Array, call: CallSide): Buffer {
    decodeMessage('CloseSessionRequest', body);
    const id = sessionId(call.metadata);
    if (id !== null && this.sessions.delete(id)) call.response.add('set-cookie', `${SESSION_COOKIE}=; Max-Age=0`);
    return encodeMessage('CloseSessionResult', { status: 'CLOSED' });
  }

  /** The options of the caller's session, or null when it has none (nothing is created). */
  optionsOf(metadata: grpc.Metadata): ReadonlyMap<string, SessionOptionValue> | null {
    const id = sessionId(metadata);
    return id === null ? null : this.sessions.get(id) ?? null;
  }

  /** The caller's options; with `create`, a new session (and its cookie) when it has none. */
  private session(call: CallSide, create: boolean): Map<string, SessionOptionValue> | null {
    const id = sessionId(call.metadata);
    const existing = id === null ? undefined : this.sessions.get(id);
    if (existing || !create) return existing ?? null;
    // An unknown cookie (closed, or from before a restart) gets a fresh session, not an error:
    // the client's options are gone either way, and it learns the new id from Set-Cookie.
    if (this.sessions.size >= this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    const fresh = randomBytes(18).toString('base64url');
    const options = new Map<string, SessionOptionValue>();
    this.sessions.set(fresh, options);
    call.response.add('set-cookie', `${SESSION_COOKIE}=${fresh}`);
    return options;
  }
}

function sessionId(metadata: grpc.Metadata): string | null {
  for (const header of metadata.get('cookie')) {
    for (const pair of String(header).split(';')) {
      const eq = pair.indexOf('=');
      if (eq > 0 && pair.slice(0, eq).trim() === SESSION_COOKIE) return pair.slice(eq + 1).trim();
    }
  }
  return null;
}
