// publishVersions for coordinators without an atomic multi (the local and bucket ones): each
// version is published after the one before, so a failure part way leaves those before it
// committed and says so, as the Coordinator interface allows.
import type { LogEntry, PublishedVersions, VersionToPublish } from './coordinator.ts';

export async function publishInOrder(
  expected: number,
  versions: VersionToPublish[],
  publish: (expected: number, version: VersionToPublish) => Promise<LogEntry>,
): Promise<PublishedVersions> {
  if (versions.length === 0) throw new Error('publishVersions needs at least one version');
  const entries: LogEntry[] = [];
  for (const [i, v] of versions.entries()) {
    try {
      entries.push(await publish(expected + i, v));
    } catch (failure) {
      if (i === 0) throw failure;
      return { entries, failure };
    }
  }
  return { entries };
}
