// Password hashes for the users file: scrypt (node:crypto, memory-hard) with a random salt per
// password, written as a PHC-style string that carries its own cost parameters, so the cost can
// be raised for new entries while old ones keep verifying:
//   $scrypt$ln=15,r=8,p=1$<salt, base64>$<hash, base64>
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptCost {
  /** log2 of scrypt's N (CPU and memory cost). */
  ln: number;
  r: number;
  p: number;
}

/** 2^15 × 8 × 128 bytes = 32 MiB and some tens of ms per check. */
export const DEFAULT_COST: ScryptCost = { ln: 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const PREFIX = '$scrypt$';

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const N = 2 ** cost.ln;
  const options: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 128 * N * cost.r + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (e, key) => (e ? reject(e) : resolve(key))));
}

export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_COST): Promise<string> {
  if (password.length === 0) throw new Error('the password is empty');
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, cost);
  return `${PREFIX}ln=${cost.ln},r=${cost.r},p=${cost.p}$${b64(salt)}$${b64(key)}`;
}

export const isPasswordHash = (s: string) => s.startsWith(PREFIX);

/** A checker for one stored hash; throws at once (at start-up) when the hash is malformed. */
export function passwordChecker(hash: string): (password: string) => Promise<boolean> {
  const m = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/.exec(hash);
  if (!m) throw new Error('not a password hash quiver writes ($scrypt$ln=…,r=…,p=…$salt$hash); make one with `quiver users add`');
  const cost = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (cost.ln < 10 || cost.ln > 22 || cost.r < 1 || cost.r > 32 || cost.p < 1 || cost.p > 16) throw new Error(`scrypt cost ln=${cost.ln},r=${cost.r},p=${cost.p} is out of range (ln 10-22, r 1-32, p 1-16)`);
  const salt = Buffer.from(m[4]!, 'base64');
  const expected = Buffer.from(m[5]!, 'base64');
  if (expected.byteLength < 16) throw new Error('the hash part is too short');
  return async (password) => {
    const key = await derive(password, salt, cost).then((k) => k.subarray(0, expected.byteLength));
    return key.byteLength === expected.byteLength && timingSafeEqual(key, expected);
  };
}

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
