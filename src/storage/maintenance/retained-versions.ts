// What every maintenance task starts from: a table's retained log entries with their manifests,
// read straight from disk (not through TableStore's cache) so that expired manifests are not
// kept in memory by maintenance itself.
import fs from 'node:fs/promises';
import type { LogEntry } from '../../coord/coordinator.ts';
import { QuiverError } from '../../errors.ts';
import { manifestFromJson, type Manifest } from '../manifest.ts';
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
  return Promise.all(entries.map(async (entry) => {
    const file = store.layout.file(table, entry.manifest);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      throw new QuiverError('DATA_LOSS', `version ${entry.version} of table ${JSON.stringify(table)} names manifest ${entry.manifest}, which cannot be read (${(e as Error).message}); maintenance leaves this table alone`, { cause: e });
    }
    return { entry, manifest: manifestFromJson(text, file) };
  }));
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
