// Snapshot expiry. A version superseded more than `retention` ago (by the commit time of the
// version after it, as GetFlightInfo's expiration_time computes it) leaves the version log, and
// then its manifest is deleted. The current version never expires. Only an unbroken run of the
// oldest versions expires: a version held by an endpoint lease (RenewFlightEndpoint) keeps
// itself and every newer one, so that "superseded at" stays answerable from the next entry.
//
// Data files are not deleted here: those no retained version uses any more get their mtime set
// to now, so orphan collection removes them only after its grace period. A DoGet that began
// just before the expiry therefore reads to the end; one that starts after it gets NOT_FOUND.
import fs from 'node:fs/promises';
import { syncPath } from '../../durable-files.ts';
import type { TableStore } from '../table-store.ts';
import { referencedPaths, retainedVersions } from './retained-versions.ts';

export interface ExpiryOptions {
  retentionMs: number;
  now: number;
  /** Until when an endpoint lease keeps `version` readable (0 or less: no lease). */
  heldUntil?: (table: string, version: number) => number;
}

export interface ExpiryResult {
  expired: number[];
  manifestsDeleted: number;
  /** Data files no retained version uses any more, left to orphan collection. */
  filesReleased: number;
  /** The oldest retained superseded version, and why it stays. */
  kept?: { version: number; until: number; reason: 'retention' | 'lease' };
}

export async function expireTable(store: TableStore, table: string, options: ExpiryOptions): Promise<ExpiryResult> {
  const versions = await retainedVersions(store, table);
  const candidates: number[] = [];
  let kept: ExpiryResult['kept'];
  for (let i = 0; i + 1 < versions.length; i++) {
    const { version } = versions[i]!.entry;
    const next = versions[i + 1]!;
    // A gap means an earlier expiry was interrupted after the log change; the run stops there.
    if (next.entry.version !== version + 1) break;
    const superseded = Date.parse(next.manifest.committedAt);
    const retainedUntil = superseded + options.retentionMs;
    const leasedUntil = options.heldUntil?.(table, version) ?? 0;
    if (retainedUntil >= options.now || leasedUntil >= options.now) {
      kept = leasedUntil > retainedUntil ? { version, until: leasedUntil, reason: 'lease' } : { version, until: retainedUntil, reason: 'retention' };
      break;
    }
    candidates.push(version);
  }
  if (candidates.length === 0) return { expired: [], manifestsDeleted: 0, filesReleased: 0, ...(kept ? { kept } : {}) };

  const expired = await store.coordinator.expire(table, candidates);
  const gone = new Set(expired);
  const stay = versions.filter((v) => !gone.has(v.entry.version));
  const stillUsed = referencedPaths(stay);
  const released = new Set<string>();
  for (const v of versions) if (gone.has(v.entry.version)) for (const f of v.manifest.files) if (!stillUsed.has(f.path)) released.add(f.path);

  // The log change is durable; files are touched only while this process still leads.
  await store.coordinator.confirmWriter(`delete the manifests of expired versions of table ${JSON.stringify(table)}`);
  const now = new Date();
  for (const rel of released) await fs.utimes(store.layout.file(table, rel), now, now).catch(() => undefined);
  // In a bucket an object's time cannot be reset: the release is recorded instead (object-files.ts).
  await store.objects?.recordReleased(table, [...released], now.getTime());
  let manifestsDeleted = 0;
  for (const v of versions) {
    if (!gone.has(v.entry.version)) continue;
    let deleted = false;
    try {
      await fs.rm(store.layout.manifestFile(table, v.entry.manifest));
      deleted = true;
    } catch {
      // Already gone (an earlier run that stopped half-way): nothing refers to it.
    }
    if (store.objects) {
      await store.objects.delete(table, v.entry.manifest);
      deleted = true;
    }
    if (deleted) manifestsDeleted++;
  }
  if (manifestsDeleted > 0) await syncPath(store.layout.subdir(table, 'manifests')).catch(() => undefined);
  return { expired, manifestsDeleted, filesReleased: released.size, ...(kept ? { kept } : {}) };
}
