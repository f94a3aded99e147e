// What every maintenance task starts from: a table's retained log entries with their manifests,
// read straight from disk (not through the reader's cache) so that expired manifests are not
// kept in memory by maintenance itself.
import type { LogEntry } from '../../coord/coordinator.ts';
import { QuiverError } from '../../errors.ts';
import { MANIFEST_READ_CONCURRENCY, mapBounded } from '../bounded-map.ts';
import type { Manifest } from '../manifest.ts';
import { readManifestFile } from '../table-reader.ts';
import type { TableStore } from '../table-store.ts';

export interface RetainedVersion {
  entry: LogEntry;
  manifest: Manifest;
}

/**
 * The retained versions of `table`, oldest first. A manifest a retained entry names but that
 * cannot be read is damage: it throws, and the caller leaves the table alone rather than guess
 * which files that version needs.
 */
export async function retainedVersions(store: TableStore, table: string): Promise<RetainedVersion[]> {
  const entries = await store.coordinator.entries(table);
  // Bounded: a table with thousands of versions would otherwise open every manifest at once (EMFILE).
  return mapBounded(entries, MANIFEST_READ_CONCURRENCY, async (entry) => {
    const unreadable = (why: string, cause?: unknown) => new QuiverError('DATA_LOSS', `version ${entry.version} of table ${JSON.stringify(table)} names manifest ${entry.manifest}, which cannot be read (${why}); maintenance leaves this table alone`, { cause });
    let manifest: Manifest | null;
    try {
      manifest = store.objects ? await store.objects.manifest(table, entry.manifest) : await readManifestFile(store.layout.manifestFile(table, entry.manifest));
    } catch (e) {
      throw unreadable((e as Error).message, e);
    }
    if (!manifest) throw unreadable('it does not exist');
    if (manifest.table !== table) throw unreadable(`it belongs to table ${JSON.stringify(manifest.table)}`);
    return { entry, manifest };
  });
}

/** Paths (relative to the table directory) of every data file and manifest the versions use. */
export function referencedPaths(versions: RetainedVersion[]): Set<string> {
  const out = new Set<string>();
  for (const v of versions) {
    out.add(v.entry.manifest);
    for (const f of v.manifest.files) out.add(f.path);
  }
  return out;
}
