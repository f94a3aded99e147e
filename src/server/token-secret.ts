// The secret bearer tokens are signed with. Generated once into the data root (mode 0600), or
// read from --token-secret-file; replicas of a cluster share the data root, so they read the
// same file and accept each other's tokens. It is never derived from passwords: with a derived
// key anyone who knows (or guesses) a password can mint tokens, and every token becomes a hash
// to test password guesses against offline.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from '../logger.ts';

export const TOKEN_SECRET_FILE = 'token-secret';
const MIN_SECRET_BYTES = 32;

export function loadTokenSecret(dataRoot: string, file: string | undefined, log: Logger): Buffer {
  if (file !== undefined) return readSecret(file, log);
  const target = path.join(dataRoot, TOKEN_SECRET_FILE);
  if (!fs.existsSync(target)) createSecret(target);
  return readSecret(target, log);
}

function readSecret(file: string, log: Logger): Buffer {
  const stat = fs.statSync(file);
  if ((stat.mode & 0o077) !== 0) log.warn(`token secret ${file} is readable by other users (mode ${(stat.mode & 0o777).toString(8)}); anyone who reads it can mint bearer tokens: chmod 600 it`);
  const secret = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'utf8');
  if (secret.byteLength < MIN_SECRET_BYTES) throw new Error(`token secret ${file} holds ${secret.byteLength} bytes; it needs at least ${MIN_SECRET_BYTES} (e.g. \`openssl rand -hex 32 > ${file}\`)`);
  return secret;
}

/**
 * Written whole under a temporary name and linked into place, so a replica starting at the same
 * moment either finds no file or the complete one, and exactly one secret wins.
 */
function createSecret(target: string): void {
  const temp = path.join(path.dirname(target), `.${TOKEN_SECRET_FILE}-${randomUUID()}`);
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.writeSync(fd, `${randomBytes(32).toString('hex')}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(temp, target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    fs.rmSync(temp, { force: true });
  }
  const dir = fs.openSync(path.dirname(target), 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
}
