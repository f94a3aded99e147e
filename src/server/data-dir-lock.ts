// One server per data directory in embedded mode: two local coordinators on one root would
// each believe they alone commit. Node has no flock(), so the lock is a directory of claims,
// `<data>/LOCK/<pid>.<uuid>`, with this rule: a process holds the lock when, after creating its
// own claim, it sees no other live claim. Of two processes racing, the one that listed second
// sees the first one's claim, so both can lose but never both win (the loser retries after a
// random pause, and fails only while another live claim stays). Claims of dead processes are
// stale: they are ignored and removed, and removing one can never remove a live claim, because
// every claim has its own name. (The old scheme, one LOCK file replaced when its pid was dead,
// let two servers that found the same stale file both take over, and took a lock file caught
// between its creation and the write of its pid for a stale one.)
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';

const ATTEMPTS = 8;

export function lockDataDir(dir: string): () => void {
  const lockDir = path.join(dir, 'LOCK');
  replaceLegacyLockFile(lockDir);
  fs.mkdirSync(lockDir, { recursive: true });
  const own = `${process.pid}.${randomUUID()}`;
  const mine = path.join(lockDir, own);
  for (let attempt = 0; ; attempt++) {
    fs.writeFileSync(mine, `${process.pid}\n`, { flag: 'wx' });
    const others = liveClaims(lockDir).filter((c) => c.name !== own);
    if (others.length === 0) {
      return () => fs.rmSync(mine, { force: true });
    }
    fs.rmSync(mine, { force: true });
    if (attempt + 1 >= ATTEMPTS) {
      throw new Error(`${dir} is in use by another quiver server (pid ${others[0]!.pid}); stop it or choose another --data directory`);
    }
    sleep(10 + Math.floor(Math.random() * 40 * (attempt + 1)));
  }
}

function liveClaims(lockDir: string): { name: string; pid: number }[] {
  const out: { name: string; pid: number }[] = [];
  for (const name of fs.readdirSync(lockDir)) {
    const pid = Number(name.slice(0, name.indexOf('.')));
    if (!Number.isSafeInteger(pid) || pid <= 0) continue;
    if (pid === process.pid || isAlive(pid)) out.push({ name, pid });
    else fs.rmSync(path.join(lockDir, name), { force: true }); // stale: its process is gone
  }
  return out;
}

/**
 * A LOCK file from an older quiver: a live owner still holds the directory; a dead one's file is
 * unlinked. unlink never removes a directory, so a racer that judged the same file stale cannot
 * remove the claims directory another process made in its place.
 */
function replaceLegacyLockFile(lockDir: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(lockDir);
  } catch {
    return;
  }
  if (stat.isDirectory()) return;
  let content: string;
  try {
    content = fs.readFileSync(lockDir, 'utf8');
  } catch (e) {
    // Another starter removed the old file (and may have made the claims directory) meanwhile.
    if (['ENOENT', 'EISDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) return;
    throw e;
  }
  const owner = Number(content.trim());
  if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
    throw new Error(`${path.dirname(lockDir)} is in use by another quiver server (pid ${owner}); stop it or choose another --data directory`);
  }
  try {
    fs.unlinkSync(lockDir);
  } catch (e) {
    if (!['ENOENT', 'EISDIR', 'EPERM'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
