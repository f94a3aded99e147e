// Bearer tokens that any replica can check without shared state: the user and an expiry, signed
// with HMAC-SHA256 under the server's token secret (src/server/token-secret.ts), a random key
// that every replica of a cluster reads from the same file, so a token from one replica's
// Handshake is good on every replica (a follower forwards the caller's token to the leader).
// The key is never derived from passwords: knowing a password does not let anyone mint tokens,
// and a token gives nothing to test password guesses against offline.
import { createHmac, timingSafeEqual } from 'node:crypto';

interface Claims {
  u: string;
  /** Expiry, ms since the epoch. */
  e: number;
}

const sign = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

export function issueToken(key: Buffer, user: string, ttlMs: number, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ u: user, e: now + ttlMs } satisfies Claims)).toString('base64url');
  return `${payload}.${sign(key, payload)}`;
}

/** The token's user, 'expired', or null for a token this key did not sign. */
export function verifyToken(key: Buffer, token: string, now = Date.now()): { user: string } | 'expired' | null {
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(sign(key, payload));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let claims: Claims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
  } catch {
    return null;
  }
  if (typeof claims.u !== 'string' || typeof claims.e !== 'number') return null;
  return claims.e < now ? 'expired' : { user: claims.u };
}
