// The per-table commit lock: ZooKeeper's lock recipe. Each contender creates a protected
// ephemeral-sequential node under the table's lock directory and holds the lock while its node
// is first; the others wait for their predecessor only, so they acquire in arrival order.
//
// The lock serializes commits; it is not what keeps a deposed writer out (a lock held by a
// session that expires is silently released). That is the election fence in the publish multi.
import { randomUUID } from 'node:crypto';
import zookeeper from 'node-zookeeper-client';
import { createProtected, protectedMarker } from './protected-create.ts';
import { bySequence, predecessorGone, removeStrays } from './sequential-nodes.ts';
import type { ZkSession } from './session.ts';
import { QuiverError } from '../../errors.ts';
import { ConnectionLossError, ZK, isZkCode } from './zk-errors.ts';

export interface HeldLock {
  readonly path: string;
  /** False once the session that created the node is gone (the lock silently went with it). */
  held(): boolean;
  release(): Promise<void>;
}

/**
 * Other commits to the table held its lock for the whole wait (or ZooKeeper was unreachable
 * until its end). Nothing was committed and the commit may succeed later: ABORTED, retriable,
 * as for any lost race between commits.
 */
export class LockTimeoutError extends QuiverError {
  constructor(dir: string, timeoutMs: number) {
    super('ABORTED', `lock ${dir} not acquired within ${timeoutMs} ms; nothing was committed`, { retriable: true });
    this.name = 'LockTimeoutError';
  }
}

/**
 * Waits for the lock until `timeoutMs` passes or `cancel` aborts (then it rejects with the
 * signal's reason): a writer that lost its role must not sit in the queue until the timeout
 * while its caller waits for an answer.
 */
export async function acquireLock(session: ZkSession, dir: string, timeoutMs: number, cancel?: AbortSignal): Promise<HeldLock> {
  const id = randomUUID();
  const marker = protectedMarker(id);
  const deadline = Date.now() + timeoutMs;
  const giveUp = new AbortController();
  const timer = setTimeout(() => giveUp.abort(), timeoutMs);
  const onCancel = () => giveUp.abort();
  cancel?.addEventListener('abort', onCancel, { once: true });
  const cancelled = new Promise<never>((_, reject) => {
    if (cancel?.aborted) reject(cancel.reason);
    cancel?.addEventListener('abort', () => reject(cancel.reason), { once: true });
  });
  cancelled.catch(() => undefined);
  let own = null as { path: string; sessionId: string } | null;
  try {
    await Promise.race([session.ensurePath(dir), cancelled]);
    for (;;) {
      if (cancel?.aborted) throw cancel.reason;
      if (Date.now() >= deadline) throw new LockTimeoutError(dir, timeoutMs);
      try {
        await Promise.race([session.whenConnected(Math.max(1, deadline - Date.now())), cancelled]);
        if (own && own.sessionId !== session.sessionId) {
          await session.remove(own.path).catch(() => {});
          own = null;
        }
        if (!own) {
          const path = await createProtected(session, dir, 'lock-', Buffer.alloc(0), zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, id);
          // The session the create succeeded in: a protected create retries across a session
          // rebuild, so the one current when it started may be gone.
          own = { path, sessionId: session.sessionId! };
        }
        const ownName = own.path.slice(dir.length + 1);
        const names = bySequence(await session.getChildren(dir));
        await removeStrays(session, dir, names, marker, ownName);
        const index = names.indexOf(ownName);
        if (index < 0) {
          own = null;
          continue;
        }
        if (index === 0) {
          clearTimeout(timer);
          cancel?.removeEventListener('abort', onCancel);
          return heldLock(session, own.path, own.sessionId);
        }
        await predecessorGone(session, `${dir}/${names[index - 1]}`, giveUp.signal);
      } catch (e) {
        if (!(e instanceof ConnectionLossError)) throw e;
      }
    }
  } catch (e) {
    clearTimeout(timer);
    if (own) abandonNode(session, own);
    if (cancel?.aborted) throw cancel.reason;
    if (e instanceof ConnectionLossError && Date.now() >= deadline) throw new LockTimeoutError(dir, timeoutMs);
    throw e;
  }
}

/**
 * Removes a contender node we gave up on. Giving up often happens while the session is
 * suspended; if the session then comes back, the node is still there and every later commit
 * would queue behind it for good. So it is removed once connected.
 */
function abandonNode(session: ZkSession, own: { path: string }): void {
  void removeOwnNode(session, own.path).catch(() => undefined);
}

/**
 * Deletes one of our lock nodes by path, whichever session it belongs to: its name is unique to
 * us (protected create), so the path is either ours or gone with a dead session (NO_NODE).
 * Judging by the session id instead leaks a node whose create completed in a rebuilt session,
 * and every later commit to the table then waits behind it.
 */
async function removeOwnNode(session: ZkSession, path: string): Promise<void> {
  for (;;) {
    if (session.state === 'closed') return;
    try {
      await session.whenConnected();
      await session.remove(path);
      return;
    } catch (e) {
      if (isZkCode(e, ZK.NO_NODE)) return;
      if (!(e instanceof ConnectionLossError)) throw e;
    }
  }
}

function heldLock(session: ZkSession, path: string, sessionId: string): HeldLock {
  let released = false;
  return {
    path,
    held: () => !released && session.sessionId === sessionId && session.state === 'connected',
    release: async () => {
      if (released) return;
      released = true;
      if (session.state === 'connected') {
        try {
          await session.remove(path);
          return;
        } catch (e) {
          if (isZkCode(e, ZK.NO_NODE)) return;
          if (!(e instanceof ConnectionLossError)) throw e;
        }
      }
      // Not connected now: the node goes once the session is back, without holding up the
      // caller (a commit's answer must not wait for ZooKeeper to return).
      abandonNode(session, { path });
    },
  };
}
