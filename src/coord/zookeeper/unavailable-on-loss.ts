// A ZooKeeper read or unfenced write whose connection was lost has changed nothing a caller
// must know about (or is safe to repeat): to the caller it is CoordinationUnavailableError,
// UNAVAILABLE and retriable. Fenced publishes do not use this: their lost reply is resolved.
import { CoordinationUnavailableError } from '../coordinator.ts';
import type { ZkSession } from './session.ts';
import { ConnectionLossError } from './zk-errors.ts';

export async function unavailableOnLoss<T>(session: ZkSession, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof ConnectionLossError) throw new CoordinationUnavailableError(`ZooKeeper is not reachable (session ${session.state}): ${e.message}`, e);
    throw e;
  }
}
