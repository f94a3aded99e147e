// Parses the --auth setting into what the Authenticator enforces.
import fs from 'node:fs';
import { basicAuth, type AuthConfig } from '../flight/auth.ts';

const TOKEN_TTL_MS = 24 * 3600 * 1000;

export function parseAuth(spec: string): AuthConfig {
  if (spec === 'none' || spec === '') return { kind: 'none' };
  if (spec.startsWith('basic:')) {
    const users = new Map<string, string>();
    for (const pair of spec.slice('basic:'.length).split(',')) {
      const colon = pair.indexOf(':');
      if (colon <= 0) throw new Error(`--auth basic:USER:PASS expected, got ${JSON.stringify(spec)}`);
      users.set(pair.slice(0, colon), pair.slice(colon + 1));
    }
    return basicAuth(users, TOKEN_TTL_MS);
  }
  if (spec.startsWith('token-file:')) {
    const file = spec.slice('token-file:'.length);
    const tokens = new Set(fs.readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
    if (tokens.size === 0) throw new Error(`${file} holds no tokens (one per line)`);
    return { kind: 'tokens', tokens };
  }
  throw new Error(`--auth must be none, basic:USER:PASS or token-file:PATH, got ${JSON.stringify(spec)}`);
}
