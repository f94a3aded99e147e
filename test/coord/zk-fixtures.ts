// Shared set-up for the ZooKeeper tests: real servers from test/harness/zookeeper.ts, coordinators
// and raw sessions on short session timeouts, and everything closed after the suite.
import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import { startZooKeeper, type ZooKeeperCluster } from '../harness/zookeeper.ts';
import { ZkSession, type SessionChange, type SessionState } from '../../src/coord/zookeeper/session.ts';
import { ZooKeeperCoordinator } from '../../src/coord/zookeeper/zookeeper-coordinator.ts';

export const SESSION_TIMEOUT_MS = 2000;
/** Generous: waiting for an event, never asserting how long it took. */
export const EVENT_WAIT_MS = 20_000;

export interface ZooKeeperSuite {
  ready(): Promise<ZooKeeperCluster>;
  coordinator(connect: string, cluster: string, id?: string): Promise<ZooKeeperCoordinator>;
  session(connect: string): Promise<ZkSession>;
}

/** Starts ZooKeeper for the enclosing describe() and closes everything it made after it. */
export function zooKeeperForSuite(nodes: 1 | 3 = 1): ZooKeeperSuite {
  const closers: Array<() => Promise<unknown>> = [];
  const ready = startZooKeeper({ nodes });
  after(async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
    await (await ready).stop();
  });
  return {
    ready: () => ready,
    coordinator: async (connect, cluster, id = randomUUID().slice(0, 8)) => {
      const c = await ZooKeeperCoordinator.start({ connect, cluster, self: { id, location: `grpc+tcp://127.0.0.1:${id}` }, sessionTimeoutMs: SESSION_TIMEOUT_MS, lockTimeoutMs: EVENT_WAIT_MS });
      closers.push(() => c.close());
      return c;
    },
    session: async (connect) => {
      const s = await ZkSession.open({ connect, sessionTimeoutMs: SESSION_TIMEOUT_MS });
      closers.push(() => s.close());
      return s;
    },
  };
}

export function nextState(s: ZkSession, state: SessionState, timeoutMs = EVENT_WAIT_MS): Promise<SessionChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`session did not become ${state} within ${timeoutMs} ms (now ${s.state})`)), timeoutMs);
    const on = (c: SessionChange) => {
      if (c.state !== state) return;
      clearTimeout(timer);
      s.off('state', on);
      resolve(c);
    };
    s.on('state', on);
  });
}

export async function eventually(check: () => Promise<boolean> | boolean, what: string, timeoutMs = EVENT_WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export const clusterName = () => `t${randomUUID().slice(0, 8)}`;
