// What a publish whose reply was lost did. Its log node N+1 answers if it is there (a group's
// multi is atomic, so its first version answers for all of them); if it is not, the pointer is sealed (a no-op compare-and-set on the version the multi expected) so the
// multi can never apply late, and only then is "not committed" a fact rather than a guess.
// Resolution waits for a live session up to four session timeouts, then gives up:
// CommitOutcomeUnknownError, and the caller keeps the manifest's files.
import { CommitConflictError, CommitOutcomeUnknownError, CoordinationUnavailableError, type LogEntry } from '../coordinator.ts';
import type { ZkSession } from './session.ts';
import { encodeNode, readLogEntry, readPointer, type PointerNode } from './table-log-nodes.ts';
import { ConnectionLossError, ZK, isZkCode } from './zk-errors.ts';
import type { ZnodeLayout } from './znode-layout.ts';

export async function resolveLostPublish(session: ZkSession, layout: ZnodeLayout, table: string, before: PointerNode | null, entries: LogEntry[], cause: unknown): Promise<LogEntry[]> {
  const entry = entries[0]!;
  const deadline = Date.now() + session.sessionTimeoutMs * 4;
  const generation = before?.pointer.generation ?? 0;
  const logPath = layout.logEntry(table, generation, entry.version);
  const pointerPath = layout.pointer(table);
  while (Date.now() < deadline) {
    try {
      await session.whenConnected(Math.max(1, deadline - Date.now()));
      const found = await readLogEntry(session, logPath, entry.version);
      if (found) {
        if (found.manifest === entry.manifest) return entries;
        throw new CommitConflictError(table, entry.version - 1, entry.version);
      }
      try {
        if (before) await session.setData(pointerPath, before.raw, before.zversion);
        else await session.create(pointerPath, encodeNode({ name: table, generation: 0, version: 0, manifest: null }));
      } catch (e) {
        if (!isZkCode(e, ZK.BAD_VERSION) && !isZkCode(e, ZK.NODE_EXISTS)) throw e;
        // The pointer moved, so our multi can no longer apply later: either it applied (then
        // its log node is there) or another commit won.
        const again = await readLogEntry(session, logPath, entry.version);
        if (again?.manifest === entry.manifest) return entries;
        throw new CommitConflictError(table, entry.version - 1, (await readPointer(session, pointerPath))?.pointer.version ?? entry.version);
      }
      throw new CoordinationUnavailableError(`the connection to ZooKeeper was lost during the commit to table ${JSON.stringify(table)}; nothing was committed`, cause);
    } catch (e) {
      if (!(e instanceof ConnectionLossError)) throw e;
    }
  }
  throw new CommitOutcomeUnknownError(table, entry.version, entry.manifest, cause);
}
