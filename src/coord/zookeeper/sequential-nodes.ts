// Helpers shared by the recipes built on ephemeral-sequential nodes (election, commit lock):
// order by the server-assigned sequence, find the predecessor, and wait for it to go.
import { QuiverError } from '../../errors.ts';
import type { ZkSession } from './session.ts';

/**
 * The 10-digit sequence ZooKeeper appends to sequential node names. A child without one was not
 * made by a recipe: the directory's state is damaged (DATA_LOSS), and no order can be trusted.
 */
export function sequenceOf(name: string): number {
  const m = /(\d{10})$/.exec(name);
  if (!m) throw new QuiverError('DATA_LOSS', `ZooKeeper node ${JSON.stringify(name)} is not a sequential node name, so an election or lock directory holds a node no recipe made; remove it`);
  return Number(m[1]);
}

export function bySequence(names: string[]): string[] {
  return [...names].sort((a, b) => sequenceOf(a) - sequenceOf(b));
}

/**
 * Resolves when `path` is deleted, when it does not exist, or when the session changes state
 * (the caller re-checks everything then): watching only the predecessor avoids the herd effect
 * of every waiter waking on every change.
 */
export function predecessorGone(session: ZkSession, path: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      session.off('state', finish);
      signal?.removeEventListener('abort', finish);
      resolve();
    };
    if (signal?.aborted) return resolve();
    signal?.addEventListener('abort', finish);
    session.on('state', finish);
    session.exists(path, finish).then(
      (stat) => {
        if (!stat) finish();
      },
      (e) => {
        if (done) return;
        done = true;
        session.off('state', finish);
        signal?.removeEventListener('abort', finish);
        reject(e);
      },
    );
  });
}

/** Removes nodes carrying `marker` other than `keep`: duplicates a lost reply may have left. */
export async function removeStrays(session: ZkSession, parent: string, children: string[], marker: string, keep: string): Promise<void> {
  for (const c of children) {
    if (c !== keep && c.startsWith(marker)) await session.remove(`${parent}/${c}`).catch(() => {});
  }
}
