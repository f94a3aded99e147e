// ZooKeeper outcomes as values the recipes branch on. The library reports errors as its own
// Exception objects; these helpers keep every `code === -101` out of the recipes.
import zookeeper from 'node-zookeeper-client';

export const ZK = {
  CONNECTION_LOSS: zookeeper.Exception.CONNECTION_LOSS,
  NO_NODE: zookeeper.Exception.NO_NODE,
  BAD_VERSION: zookeeper.Exception.BAD_VERSION,
  NODE_EXISTS: zookeeper.Exception.NODE_EXISTS,
  NOT_EMPTY: zookeeper.Exception.NOT_EMPTY,
  SESSION_EXPIRED: zookeeper.Exception.SESSION_EXPIRED,
} as const;

const NAMES = new Map<number, string>([
  [0, 'OK'],
  [-2, 'RUNTIME_INCONSISTENCY'],
  [-4, 'CONNECTION_LOSS'],
  [-101, 'NO_NODE'],
  [-102, 'NO_AUTH (the node\'s ACL does not admit these credentials: check --zk-auth)'],
  [-103, 'BAD_VERSION'],
  [-108, 'NO_CHILDREN_FOR_EPHEMERALS'],
  [-110, 'NODE_EXISTS'],
  [-111, 'NOT_EMPTY'],
  [-112, 'SESSION_EXPIRED'],
]);

/**
 * What the ZooKeeper client library reported, as the recipes branch on it. Not a QuiverError on
 * purpose: it is the transport's failure, never a domain answer. The coordinator turns the ones
 * it expects into QuiverErrors (connection loss into CoordinationUnavailableError, a failed fence
 * into NotLeaderError, a lost compare-and-set into CommitConflictError); one that escapes is a
 * bug, and toStatus logs it as INTERNAL.
 */
export class ZooKeeperError extends Error {
  constructor(readonly code: number, readonly path: string, detail = '') {
    super(`ZooKeeper ${NAMES.get(code) ?? `error ${code}`} on ${path}${detail ? `: ${detail}` : ''}`);
    this.name = 'ZooKeeperError';
  }
}

/**
 * The request may or may not have been applied: the reply was lost, or it was never sent
 * because the session layer was not connected (then `sent` is false and it certainly was not).
 */
export class ConnectionLossError extends ZooKeeperError {
  constructor(path: string, readonly sent: boolean, detail = '') {
    super(ZK.CONNECTION_LOSS, path, detail);
    this.name = 'ConnectionLossError';
  }
}

export function isZkCode(e: unknown, code: number): boolean {
  return e instanceof ZooKeeperError && e.code === code;
}

export function fromLibrary(error: { getCode?: () => number; code?: number; message?: string }, path: string): ZooKeeperError {
  const code = typeof error.getCode === 'function' ? error.getCode() : (error.code ?? -1);
  // After a session expiry the library reports CONNECTION_LOSS for later calls, and
  // SESSION_EXPIRED for those in flight: for a caller both mean "outcome unknown, retry on a
  // live session", so both become ConnectionLossError.
  if (code === ZK.CONNECTION_LOSS || code === ZK.SESSION_EXPIRED) return new ConnectionLossError(path, true);
  return new ZooKeeperError(code, path);
}

/** The per-op results of a failed multi: ZooKeeper marks the op that failed with its own code. */
export class MultiError extends ZooKeeperError {
  constructor(code: number, readonly index: number, path: string) {
    super(code, path, `op ${index} of a multi failed`);
    this.name = 'MultiError';
  }
}
