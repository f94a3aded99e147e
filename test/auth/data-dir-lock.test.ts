// The data directory's LOCK: processes racing for it, from a stale lock left by a crash, never
// both get it; a live holder keeps it; a stale claim does not block.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lockDataDir } from '../../src/server/data-dir-lock.ts';

const RACER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lock-racer.ts');
const RACERS = 4;
const ROUNDS = 40;
/** No process has this pid (above Linux's largest pid_max): a lock naming it is stale. */
const DEAD_PID = 999_999_999;

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-lock-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
  fs.rmSync(root, { recursive: true, force: true });
});

interface Racer {
  send(line: string): void;
  next(): Promise<string>;
}

function racer(): Racer {
  const child = spawn(process.execPath, ['--import', 'tsx', RACER], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const lines: string[] = [];
  const waiting: ((l: string) => void)[] = [];
  readline.createInterface({ input: child.stdout! }).on('line', (l) => {
    const w = waiting.shift();
    if (w) w(l);
    else lines.push(l);
  });
  return {
    send: (line) => child.stdin!.write(`${line}\n`),
    next: () => (lines.length > 0 ? Promise.resolve(lines.shift()!) : new Promise((resolve) => waiting.push(resolve))),
  };
}

test(`${RACERS} processes racing ${ROUNDS} times from a stale LOCK: never two holders`, { timeout: 240_000 }, async () => {
  const racers = Array.from({ length: RACERS }, racer);
  // Warm up: each racer answers once before the rounds start (tsx has compiled everything).
  const warm = path.join(root, 'warm');
  fs.mkdirSync(warm);
  for (const r of racers) {
    r.send(`go ${warm} 0`);
    await r.next();
    r.send('release');
    await r.next();
  }
  let single = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const dir = path.join(root, `round-${round}`);
    fs.mkdirSync(dir);
    // What a crashed server leaves: the old LOCK file in even rounds, a stale claim in odd ones.
    if (round % 2 === 0) fs.writeFileSync(path.join(dir, 'LOCK'), `${DEAD_PID}\n`);
    else {
      fs.mkdirSync(path.join(dir, 'LOCK'));
      fs.writeFileSync(path.join(dir, 'LOCK', `${DEAD_PID}.stale`), `${DEAD_PID}\n`);
    }
    const at = Date.now() + 200;
    for (const r of racers) r.send(`go ${dir} ${at}`);
    const results = await Promise.all(racers.map((r) => r.next()));
    const errors = results.filter((x) => x.startsWith('error'));
    assert.deepEqual(errors, [], `round ${round}: ${errors.join('; ')}`);
    const winners = results.filter((x) => x === 'won').length;
    assert.ok(winners <= 1, `round ${round}: ${winners} processes hold the lock of one directory at once`);
    if (winners === 1) single++;
    for (const r of racers) r.send('release');
    await Promise.all(racers.map((r) => r.next()));
  }
  // Racing may make everyone back off now and then, but not as a rule.
  assert.ok(single >= ROUNDS * 0.5, `only ${single} of ${ROUNDS} rounds had a holder`);
});

test('a live holder keeps the lock; releasing it frees the directory', () => {
  const dir = fs.mkdtempSync(path.join(root, 'live-'));
  const unlock = lockDataDir(dir);
  const other = spawn(process.execPath, ['--import', 'tsx', RACER], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(other);
  return new Promise<void>((resolve, reject) => {
    const rl = readline.createInterface({ input: other.stdout! });
    let step = 0;
    rl.on('line', (l) => {
      try {
        if (step === 0) {
          assert.equal(l, 'lost');
          unlock();
          other.stdin!.write(`go ${dir} 0\n`);
        } else if (step === 1) {
          assert.equal(l, 'won');
          other.stdin!.end();
          resolve();
        }
        step++;
      } catch (e) {
        reject(e);
      }
    });
    other.stdin!.write(`go ${dir} 0\n`);
  });
});
