// Authentication as Flight clients expect it: Handshake turns Basic credentials (an
// `authorization: Basic …` header, as pyarrow and arrow-go send, or a BasicAuth payload, as
// Arrow Java sends) into a bearer token; every other call must carry `authorization: Bearer …`,
// or the same token as binary `auth-token-bin` metadata, the older Flight convention that
// clients with a handshake-payload authenticator (arrow-go's, Arrow Java's legacy one) send.
import { createHash, timingSafeEqual } from 'node:crypto';
import { issueToken, verifyToken } from './signed-tokens.ts';
import type * as grpc from '@grpc/grpc-js';
import { QuiverError } from '../errors.ts';
import { decodeMessage } from '../wire/protocol.ts';

export type AuthConfig =
  | { kind: 'none' }
  | { kind: 'basic'; users: Map<string, string>; tokenTtlMs: number; /** Signs bearer tokens; equal on every replica. */ tokenKey: Buffer }
  | { kind: 'tokens'; tokens: Set<string> };

/**
 * Password auth whose token key is derived from the credentials, so replicas started with the
 * same users and passwords accept each other's tokens.
 */
export function basicAuth(users: Map<string, string>, tokenTtlMs: number): AuthConfig {
  const h = createHash('sha256').update('quiver bearer token key v1');
  for (const [user, password] of [...users].sort(([a], [b]) => (a < b ? -1 : 1))) h.update(`\u0000${user}\u0000${password}`);
  return { kind: 'basic', users, tokenTtlMs, tokenKey: h.digest() };
}

export interface Identity {
  user: string;
}

const ANONYMOUS: Identity = { user: 'anonymous' };

export class Authenticator {

  constructor(readonly config: AuthConfig) {}

  get enabled(): boolean {
    return this.config.kind !== 'none';
  }

  /** Validates the credentials a Handshake carries and issues a bearer token for them. */
  handshake(metadata: grpc.Metadata, payloads: Uint8Array[]): { token: string; identity: Identity } | null {
    if (this.config.kind === 'none') return null;
    const header = authorization(metadata);
    if (this.config.kind === 'tokens') {
      if (header?.scheme === 'bearer' && this.config.tokens.has(header.value)) return { token: header.value, identity: { user: 'token' } };
      throw unauthenticated('Handshake needs `authorization: Bearer <token>` with a token from the server\'s token file');
    }
    let creds: { user: string; password: string } | null = null;
    if (header?.scheme === 'basic') creds = parseBasic(header.value);
    for (const p of payloads) {
      if (creds || p.byteLength === 0) continue;
      try {
        const b = decodeMessage<{ username: string; password: string }>('BasicAuth', p);
        if (b.username) creds = { user: b.username, password: b.password };
      } catch {
        // Not a BasicAuth payload; other clients send their own handshake bytes.
      }
    }
    if (!creds) throw unauthenticated('Handshake needs Basic credentials (an `authorization: Basic …` header or a BasicAuth payload)');
    const identity = this.checkPassword(creds.user, creds.password);
    return { token: issueToken(this.config.tokenKey, identity.user, this.config.tokenTtlMs), identity };
  }

  /** The caller of an ordinary (non-Handshake) call, or UNAUTHENTICATED. */
  authenticate(metadata: grpc.Metadata): Identity {
    if (this.config.kind === 'none') return ANONYMOUS;
    const header = authorization(metadata) ?? legacyToken(metadata);
    if (!header) throw unauthenticated('this server requires authentication: call Handshake with Basic credentials, then send `authorization: Bearer <token>` on every call');
    if (this.config.kind === 'tokens') {
      if (header.scheme === 'bearer' && this.config.tokens.has(header.value)) return { user: 'token' };
      throw unauthenticated('unknown bearer token');
    }
    if (header.scheme === 'basic') {
      const creds = parseBasic(header.value);
      return this.checkPassword(creds.user, creds.password);
    }
    const verified = header.scheme === 'bearer' ? verifyToken(this.config.tokenKey, header.value) : null;
    if (verified === 'expired') throw unauthenticated('bearer token expired: call Handshake again');
    if (!verified) throw unauthenticated('unknown bearer token: call Handshake again');
    if (!this.config.users.has(verified.user)) throw unauthenticated(`user ${JSON.stringify(verified.user)} no longer exists: call Handshake again`);
    return { user: verified.user };
  }

  private checkPassword(user: string, password: string): Identity {
    if (this.config.kind !== 'basic') throw unauthenticated('this server does not accept passwords');
    const expected = this.config.users.get(user);
    const a = Buffer.from(password);
    const b = Buffer.from(expected ?? '');
    if (expected === undefined || a.length !== b.length || !timingSafeEqual(a, b)) throw unauthenticated(`wrong user name or password for ${JSON.stringify(user)}`);
    return { user };
  }
}

export function bearerHeader(token: string): string {
  return `Bearer ${token}`;
}

function authorization(metadata: grpc.Metadata): { scheme: string; value: string } | null {
  const raw = metadata.get('authorization')[0];
  if (typeof raw !== 'string') return null;
  const space = raw.indexOf(' ');
  if (space < 0) return null;
  return { scheme: raw.slice(0, space).toLowerCase(), value: raw.slice(space + 1).trim() };
}

/** `auth-token-bin: <token>` read as a bearer token; an empty one counts as no credentials. */
function legacyToken(metadata: grpc.Metadata): { scheme: string; value: string } | null {
  const raw = metadata.get('auth-token-bin')[0];
  if (!Buffer.isBuffer(raw) || raw.byteLength === 0) return null;
  return { scheme: 'bearer', value: raw.toString('utf8') };
}

function parseBasic(value: string): { user: string; password: string } {
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw unauthenticated('malformed Basic credentials: expected base64 of "user:password"');
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

const unauthenticated = (message: string) => new QuiverError('UNAUTHENTICATED', message);
