// Table names are any non-empty UTF-8 string (Arrow's integration runner uses absolute file
// paths). On disk each becomes one directory-name component that cannot contain a separator,
// cannot be "." or "..", and stays under the 255-byte limit of common filesystems.
import { createHash } from 'node:crypto';
import { invalidArgument } from './errors.ts';

const MAX_NAME_BYTES = 4096;
const MAX_DIR_BYTES = 200;

export function validateTableName(name: string): string {
  if (name.length === 0) throw invalidArgument('table name is empty: give a PATH descriptor with at least one non-empty element');
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) throw invalidArgument(`table name is ${Buffer.byteLength(name, 'utf8')} bytes; the limit is ${MAX_NAME_BYTES}`);
  if (!name.isWellFormed()) throw invalidArgument('table name is not well-formed UTF-8');
  return name;
}

/**
 * Letters, digits, '-' and '_' stay as they are; every other byte becomes '.XX' (hex), so the
 * result never contains '/', '\\', or a bare '.' or '..'. Names whose encoding is too long keep
 * a readable prefix and end in a hash of the whole name.
 */
export function tableDirName(name: string): string {
  validateTableName(name);
  let out = 't_';
  for (const byte of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(c) ? c : '.' + byte.toString(16).padStart(2, '0');
  }
  if (out.length <= MAX_DIR_BYTES) return out;
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 32);
  return `${out.slice(0, MAX_DIR_BYTES - 34)}~${hash}`;
}
