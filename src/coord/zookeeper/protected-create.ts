// Creates that survive a lost reply without running twice. The library must not resend a create
// (a sequential node would be created twice); instead the node name carries a unique marker, and
// after a CONNECTION_LOSS the parent is searched for it: found means the first create did apply.
// The marker follows Curator's protected-mode convention (`_c_<uuid>-`).
import { randomUUID } from 'node:crypto';
import zookeeper from 'node-zookeeper-client';
import type { ZkSession } from './session.ts';
import { ConnectionLossError, ZK, isZkCode } from './zk-errors.ts';

const MAX_ATTEMPTS = 20;

export const protectedMarker = (id: string) => `_c_${id}-`;

export function isEphemeral(mode: number): boolean {
  return mode === zookeeper.CreateMode.EPHEMERAL || mode === zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL;
}

/**
 * Creates `<parent>/_c_<id>-<name>` (plus a sequence suffix for sequential modes) and returns its
 * path. An ephemeral node found after a lost reply counts only if it belongs to the current
 * session; one left by a replaced session is deleted and created again.
 */
export async function createProtected(
  session: ZkSession,
  parent: string,
  name: string,
  data: Buffer,
  mode: number,
  id: string = randomUUID(),
): Promise<string> {
  const marker = protectedMarker(id);
  let lastError: unknown;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    try {
      return await session.create(`${parent}/${marker}${name}`, data, mode);
    } catch (e) {
      if (!(e instanceof ConnectionLossError)) throw e;
      lastError = e;
      if (!e.sent) continue;
    }
    const found = await findOwn(session, parent, marker, mode);
    if (found) return found;
  }
  throw lastError;
}

async function findOwn(session: ZkSession, parent: string, marker: string, mode: number): Promise<string | null> {
  for (;;) {
    try {
      const children = await session.getChildren(parent);
      const mine = children.find((c) => c.startsWith(marker));
      if (!mine) return null;
      const path = `${parent}/${mine}`;
      if (!isEphemeral(mode)) return path;
      const stat = await session.exists(path);
      if (!stat) return null;
      if (stat.ephemeralOwner.toString('hex') === session.sessionId) return path;
      // Created by a session we have since replaced: it would linger until the ensemble expires
      // that session, blocking the nodes queued behind it.
      await session.remove(path).catch((e) => {
        if (!isZkCode(e, ZK.NO_NODE)) throw e;
      });
      return null;
    } catch (e) {
      if (!(e instanceof ConnectionLossError)) throw e;
      await session.whenConnected();
    }
  }
}
