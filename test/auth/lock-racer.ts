// A child process for data-dir-lock.test.ts: on "go DIR AT" it waits until the clock reads AT
// (so that every racer calls at the same moment), tries to lock DIR and prints "won" or "lost";
// on "release" it lets go and prints "released".
import readline from 'node:readline';
import { lockDataDir } from '../../src/server/data-dir-lock.ts';

let unlock: (() => void) | null = null;
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const [cmd, dir, at] = line.split(' ');
  if (cmd === 'go') {
    while (Date.now() < Number(at)) { /* spin: start together */ }
    try {
      unlock = lockDataDir(dir!);
      console.log('won');
    } catch (e) {
      console.log(/in use/.test((e as Error).message) ? 'lost' : `error ${(e as Error).message}`);
    }
  } else if (cmd === 'release') {
    unlock?.();
    unlock = null;
    console.log('released');
  }
});
rl.on('close', () => unlock?.());
