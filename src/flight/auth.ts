// Authentication as Flight clients expect it: Handshake turns Basic credentials (an
// `authorization: Basic …` header, as pyarrow and arrow-go send, or a BasicAuth payload, as
// Arrow Java sends) into a bearer token; every other call must carry `authorization: Bearer …`,
// or the same token as binary `auth-token-bin` metadata, the older Flight convention that
// clients with a handshake-payload authenticator (arrow-go's, Arrow Java's legacy one) send.
// Each caller comes out with a role (roles.ts); the dispatch points check it.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { issueToken, verifyToken } from './signed-tokens.ts';
import type * as grpc from '@grpc/grpc-js';
import { QuiverError } from '../errors.ts';
import { decodeMessage } from '../wire/protocol.ts';
import type { Role } from './roles.ts';

/** A user who may log in: a role and a way to check a password (slow on purpose when hashed). */
export interface UserAccount {
  role: Role;
  verify(password: string): Promise<boolean>;
}

export type AuthConfig =
  | { kind: 'none' }
  | {
    kind: 'basic';
    users: ReadonlyMap<string, UserAccount>;
    tokenTtlMs: number;
    /** Signs bearer tokens: the server's own secret (never derived from a password), equal on every replica. */
    tokenKey: Buffer;
  }
  /** Bearer tokens from a file; whoever holds one is an admin. */
  | { kind: 'tokens'; tokens: Set<string> };

/** Accounts whose passwords are given in the clear (the --auth basic:USER:PASS shorthand, tests). */
export function plainAccounts(users: Map<string, string>, role: Role = 'admin'): Map<string, UserAccount> {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return new Map([...users].map(([user, password]) => {
    const expected = digest(password);
    return [user, { role, verify: async (given: string) => timingSafeEqual(digest(given), expected) }];
  }));
}

/** Password auth for `users` (each an admin), signing tokens with `tokenKey` (by default a fresh random key). */
export function basicAuth(users: Map<string, string>, tokenTtlMs: number, tokenKey: Buffer = randomBytes(32)): AuthConfig {
  return { kind: 'basic', users: plainAccounts(users), tokenTtlMs, tokenKey };
}

export interface Identity {
  user: string;
  role: Role;
}

/** Without authentication every caller may do everything, as before roles existed. */
const ANONYMOUS: Identity = { user: 'anonymous', role: 'admin' };

/** Basic credentials sent on every call are checked once per this long, not once per call (scrypt is slow on purpose). */
const RECENT_TTL_MS = 60_000;
const RECENT_MAX = 1024;
/** Password checks running at once: each scrypt check takes tens of MiB, and Handshake is open to anyone. */
const MAX_CONCURRENT_CHECKS = 2;

export class Authenticator {
  /** Credentials that checked out recently, by a keyed hash (never the password itself). */
  private readonly recent = new Map<string, { user: string; until: number }>();
  private readonly recentKey = randomBytes(32);
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly config: AuthConfig) {}

  get enabled(): boolean {
    return this.config.kind !== 'none';
  }

  /** The role of `user` as this server knows it now (for checks made away from the call, such as SQL's). */
  roleOf(user: string): Role | null {
    switch (this.config.kind) {
      case 'none':
        return ANONYMOUS.role;
      case 'tokens':
        return user === 'token' ? 'admin' : null;
      case 'basic':
        return this.config.users.get(user)?.role ?? null;
    }
  }

  /** Validates the credentials a Handshake carries and issues a bearer token for them. */
  async handshake(metadata: grpc.Metadata, payloads: Uint8Array[]): Promise<{ token: string; identity: Identity } | null> {
    if (this.config.kind === 'none') return null;
    const header = authorization(metadata);
    if (this.config.kind === 'tokens') {
      if (header?.scheme === 'bearer' && this.config.tokens.has(header.value)) return { token: header.value, identity: { user: 'token', role: 'admin' } };
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
    const identity = await this.checkPassword(creds.user, creds.password);
    return { token: issueToken(this.config.tokenKey, identity.user, this.config.tokenTtlMs), identity };
  }

  /** The caller of an ordinary (non-Handshake) call, or UNAUTHENTICATED. */
  async authenticate(metadata: grpc.Metadata): Promise<Identity> {
    if (this.config.kind === 'none') return ANONYMOUS;
    const header = authorization(metadata) ?? legacyToken(metadata);
    if (!header) throw unauthenticated('this server requires authentication: call Handshake with Basic credentials, then send `authorization: Bearer <token>` on every call');
    if (this.config.kind === 'tokens') {
      if (header.scheme === 'bearer' && this.config.tokens.has(header.value)) return { user: 'token', role: 'admin' };
      throw unauthenticated('unknown bearer token');
    }
    if (header.scheme === 'basic') {
      const creds = parseBasic(header.value);
      return this.checkPassword(creds.user, creds.password);
    }
    const verified = header.scheme === 'bearer' ? verifyToken(this.config.tokenKey, header.value) : null;
    if (verified === 'expired') throw unauthenticated('bearer token expired: call Handshake again');
    if (!verified) throw unauthenticated('unknown bearer token: call Handshake again');
    const account = this.config.users.get(verified.user);
    if (!account) throw unauthenticated(`user ${JSON.stringify(verified.user)} no longer exists: call Handshake again`);
    return { user: verified.user, role: account.role };
  }

  private async checkPassword(user: string, password: string): Promise<Identity> {
    if (this.config.kind !== 'basic') throw unauthenticated('this server does not accept passwords');
    const users = this.config.users;
    const key = createHmac('sha256', this.recentKey).update(`${user}\u0000${password}`).digest('base64');
    const hit = this.recent.get(key);
    const account = users.get(user);
    if (hit && hit.until > Date.now() && account) return { user, role: account.role };
    // An unknown user costs as much as a wrong password, so timing does not tell which users exist.
    const checked = account ?? users.values().next().value;
    const ok = checked ? await this.limited(() => checked.verify(password)) : false;
    if (!account || !ok) throw unauthenticated(`wrong user name or password for ${JSON.stringify(user)}`);
    if (this.recent.size >= RECENT_MAX) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(key, { user, until: Date.now() + RECENT_TTL_MS });
    return { user, role: account.role };
  }

  private async limited<T>(run: () => Promise<T>): Promise<T> {
    while (this.running >= MAX_CONCURRENT_CHECKS) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await run();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
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
