// Table names are any non-empty UTF-8 string (Arrow's integration runner uses absolute file
// paths). On disk each becomes one directory-name component that cannot contain a separator,
// cannot be "." or "..", stays under the 255-byte limit of common filesystems, and holds no
// upper-case letter: on a case-insensitive filesystem (macOS, Windows) "Sales" and "sales" would
// otherwise share one directory. ZooKeeper is case-sensitive, so its node names keep the older,
// case-preserving encoding (tableKey), which needs no migration.
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
 * Lower-case letters, digits, '-' and '_' stay as they are; every other byte (upper-case letters
 * included) becomes '.XX' (lower-case hex), so the result never contains '/', '\\', a bare '.'
 * or '..', or two names that differ only in case. Names whose encoding is too long keep a
 * readable prefix and end in a hash of the whole name.
 */
export function tableDirName(name: string): string {
  return encode(name, /[a-z0-9_-]/);
}

/**
 * The case-preserving encoding (letters of both cases kept): ZooKeeper node names, and the
 * directory names data roots written before case-safe names have (see table-dir-migration.ts).
 */
export function tableKey(name: string): string {
  return encode(name, /[A-Za-z0-9_-]/);
}

/** True for a directory name tableDirName can give (no upper-case letter); false for an older one. */
export const isCaseSafeDirName = (dirName: string) => !/[A-Z]/.test(dirName);

/** The table name an older (tableKey) directory name encodes; null when it was shortened with a hash. */
export function decodeTableKey(dirName: string): string | null {
  if (!dirName.startsWith('t_') || dirName.includes('~')) return null;
  const bytes: number[] = [];
  for (let i = 2; i < dirName.length; i++) {
    const c = dirName[i]!;
    if (c === '.') {
      const hex = dirName.slice(i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/.test(hex)) return null;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (/[A-Za-z0-9_-]/.test(c)) bytes.push(c.charCodeAt(0));
    else return null;
  }
  const name = Buffer.from(bytes).toString('utf8');
  return tableKey(name) === dirName ? name : null;
}

function encode(name: string, plain: RegExp): string {
  validateTableName(name);
  let out = 't_';
  for (const byte of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += plain.test(c) ? c : '.' + byte.toString(16).padStart(2, '0');
  }
  if (out.length <= MAX_DIR_BYTES) return out;
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 32);
  return `${out.slice(0, MAX_DIR_BYTES - 34)}~${hash}`;
}
