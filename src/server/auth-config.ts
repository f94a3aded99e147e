// Turns the auth settings (--auth, --users-file, --token-secret-file) into what the
// Authenticator enforces, and --zk-auth / --zk-auth-file into ZooKeeper digest credentials.
import fs from 'node:fs';
import { plainAccounts, type AuthConfig, type UserAccount } from '../flight/auth.ts';
import type { Logger } from '../logger.ts';
import type { ServerConfig } from './config.ts';
import { loadTokenSecret } from './token-secret.ts';
import { accountsOf, readUsersFile } from './users-file.ts';

const TOKEN_TTL_MS = 24 * 3600 * 1000;

export function parseAuth(config: Pick<ServerConfig, 'auth' | 'usersFile' | 'tokenSecretFile'>, dataRoot: string, log: Logger): AuthConfig {
  const spec = config.auth;
  const users = new Map<string, UserAccount>();
  if (spec.startsWith('token-file:')) {
    if (config.usersFile) throw new Error('--auth token-file:PATH and --users-file cannot be combined: choose tokens or passwords');
    const file = spec.slice('token-file:'.length);
    const tokens = new Set(fs.readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
    if (tokens.size === 0) throw new Error(`${file} holds no tokens (one per line)`);
    return { kind: 'tokens', tokens };
  }
  if (spec.startsWith('basic:')) {
    // The one-admin shorthand (several USER:PASS pairs are taken too): each an admin.
    const plain = new Map<string, string>();
    for (const pair of spec.slice('basic:'.length).split(',')) {
      const colon = pair.indexOf(':');
      if (colon <= 0) throw new Error(`--auth basic:USER:PASS expected, got ${JSON.stringify(spec)}`);
      plain.set(pair.slice(0, colon), pair.slice(colon + 1));
    }
    for (const [name, account] of plainAccounts(plain)) users.set(name, account);
  } else if (spec !== 'none' && spec !== '') {
    throw new Error(`--auth must be none, basic:USER:PASS or token-file:PATH, got ${JSON.stringify(spec)}`);
  }
  if (config.usersFile) {
    for (const [name, account] of accountsOf(readUsersFile(config.usersFile))) {
      if (users.has(name)) throw new Error(`user ${JSON.stringify(name)} is in both --auth and --users-file ${config.usersFile}`);
      users.set(name, account);
    }
    if (users.size === 0) throw new Error(`--users-file ${config.usersFile} has no users: add one with \`quiver users add NAME --role admin --file ${config.usersFile}\``);
  }
  if (users.size === 0) return { kind: 'none' };
  return { kind: 'basic', users, tokenTtlMs: TOKEN_TTL_MS, tokenKey: loadTokenSecret(dataRoot, config.tokenSecretFile, log) };
}

/**
 * ZooKeeper digest credentials from --zk-auth (QUIVER_ZK_AUTH) or --zk-auth-file, as USER:PASSWORD;
 * none when neither is set.
 */
export function zkAuthOption(config: Pick<ServerConfig, 'zkAuth' | 'zkAuthFile'>): { auth?: { user: string; password: string } } {
  if (config.zkAuth !== undefined && config.zkAuthFile !== undefined) throw new Error('give --zk-auth or --zk-auth-file, not both');
  const raw = config.zkAuthFile !== undefined ? fs.readFileSync(config.zkAuthFile, 'utf8').trim() : config.zkAuth;
  if (raw === undefined || raw === '') return {};
  const colon = raw.indexOf(':');
  if (colon <= 0 || colon === raw.length - 1) throw new Error(`ZooKeeper credentials must be USER:PASSWORD (${config.zkAuthFile ?? '--zk-auth'})`);
  return { auth: { user: raw.slice(0, colon), password: raw.slice(colon + 1) } };
}
