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
import { ConnectionLossError, ZK, isZkCode } from './zk-errors.ts';

export interface HeldLock {
  readonly path: string;
  /** False once the session that created the node is gone (the lock silently went with it). */
  held(): boolean;
  release(): Promise<void>;
}

export class LockTimeoutError extends Error {
  constructor(dir: string, timeoutMs: number) {
    super(`lock ${dir} not acquired within ${timeoutMs} ms`);
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
          const sessionId: string = session.sessionId!;
          own = { path: await createProtected(session, dir, 'lock-', Buffer.alloc(0), zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, id), sessionId };
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
 * would queue behind it for good. So it is removed once connected, unless the session it
 * belongs to is gone (and the node with it).
 */
function abandonNode(session: ZkSession, own: { path: string; sessionId: string }): void {
  const attempt = async (): Promise<void> => {
    for (;;) {
      if (session.sessionId !== own.sessionId || session.state === 'closed') return;
      try {
        await session.whenConnected();
        if (session.sessionId !== own.sessionId) return;
        await session.remove(own.path);
        return;
      } catch (e) {
        if (isZkCode(e, ZK.NO_NODE)) return;
        if (!(e instanceof ConnectionLossError)) return;
      }
    }
  };
  void attempt();
}

function heldLock(session: ZkSession, path: string, sessionId: string): HeldLock {
  let released = false;
  return {
    path,
    held: () => !released && session.sessionId === sessionId && session.state === 'connected',
    release: async () => {
      if (released) return;
      released = true;
      for (;;) {
        // The node belongs to a session that is gone: ZooKeeper has removed it (or will).
        if (session.sessionId !== sessionId || session.state === 'closed') return;
        try {
          await session.remove(path);
          return;
        } catch (e) {
          if (isZkCode(e, ZK.NO_NODE)) return;
          if (!(e instanceof ConnectionLossError)) throw e;
          await session.whenConnected().catch(() => {});
        }
      }
    },
  };
}
