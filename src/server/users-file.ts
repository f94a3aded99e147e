// The users file (--users-file): who may log in with a password, and with which role. Two
// spellings, the same content:
//   lines:  NAME:ROLE:HASH per line ('#' starts a comment), as `quiver users add` writes them
//   JSON:   {"users": [{"name": "...", "role": "read|write|admin", "password": "$scrypt$..."}]}
// Passwords are stored only as hashes (users-passwords.ts); a file holding a plain password is
// refused, so none is ever kept by mistake.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { UserAccount } from '../flight/auth.ts';
import { parseRole, type Role } from '../flight/roles.ts';
import { isPasswordHash, passwordChecker } from './users-passwords.ts';

export { ROLES, parseRole, type Role } from '../flight/roles.ts';

export interface UserEntry {
  name: string;
  role: Role;
  /** The password hash. */
  password: string;
}

export interface UsersFile {
  format: 'lines' | 'json';
  users: UserEntry[];
}

export function parseUsersFile(text: string, where: string): UsersFile {
  const trimmed = text.trimStart();
  const json = trimmed.startsWith('{') || trimmed.startsWith('[');
  const users = json ? jsonEntries(text, where) : lineEntries(text, where);
  const seen = new Set<string>();
  for (const u of users) {
    if (seen.has(u.name)) throw new Error(`${where}: user ${JSON.stringify(u.name)} appears twice`);
    seen.add(u.name);
  }
  return { format: json ? 'json' : 'lines', users };
}

function lineEntries(text: string, where: string): UserEntry[] {
  const out: UserEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    // The hash has no ':' and a name cannot have one either (Basic credentials split at the first ':').
    const parts = line.split(':');
    if (parts.length !== 3) throw new Error(`${where}:${i + 1}: expected NAME:ROLE:HASH`);
    out.push(entry(parts[0]!, parts[1]!, parts[2]!, `${where}:${i + 1}`));
  });
  return out;
}

function jsonEntries(text: string, where: string): UserEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not JSON (${(e as Error).message})`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { users?: unknown } | null)?.users;
  if (!Array.isArray(list)) throw new Error(`${where}: expected {"users": [{"name", "role", "password"}, ...]}`);
  return list.map((u: unknown, i) => {
    const o = (u ?? {}) as Record<string, unknown>;
    if (typeof o.name !== 'string' || typeof o.role !== 'string' || typeof o.password !== 'string') throw new Error(`${where}: users[${i}] needs string fields name, role and password`);
    return entry(o.name, o.role, o.password, `${where}: users[${i}]`);
  });
}

function entry(name: string, role: string, password: string, where: string): UserEntry {
  if (!name || name.includes(':') || /\s/.test(name)) throw new Error(`${where}: user name ${JSON.stringify(name)} must be non-empty, without ':' or spaces`);
  if (!isPasswordHash(password)) throw new Error(`${where}: the password of ${JSON.stringify(name)} is not hashed; passwords are never stored in the clear: write the entry with \`quiver users add ${name} --role ${role} --file FILE\``);
  try {
    passwordChecker(password);
    return { name, role: parseRole(role), password };
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}

export function formatUsersFile(file: UsersFile): string {
  if (file.format === 'json') return `${JSON.stringify({ users: file.users }, null, 2)}\n`;
  return ['# quiver users: NAME:ROLE:HASH (roles read < write < admin); edit with `quiver users`', ...file.users.map((u) => `${u.name}:${u.role}:${u.password}`)].join('\n') + '\n';
}

export function readUsersFile(file: string): UsersFile {
  return parseUsersFile(fs.readFileSync(file, 'utf8'), file);
}

/** Replaces the file whole (temporary file, mode 0600, renamed over it). */
export function writeUsersFile(file: string, content: UsersFile): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}-${randomUUID()}`);
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.writeSync(fd, formatUsersFile(content));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
}

/** The accounts a users file gives, ready for the Authenticator. */
export function accountsOf(file: UsersFile): Map<string, UserAccount> {
  return new Map(file.users.map((u) => [u.name, { role: u.role, verify: passwordChecker(u.password) }]));
}
