// Manifests already read, kept by (table, manifest path). A manifest never changes once written,
// so an entry is never stale, but a table with 100,000 versions or 10,000 files per version would
// otherwise keep every manifest it ever read: entries are weighed by an estimate of their size
// and the least recently used go first once the budget is spent.
import type { Manifest } from './manifest.ts';

/** Default budget: enough for every manifest a busy server touches, far below its data caches. */
export const DEFAULT_MANIFEST_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * Heap bytes a decoded manifest takes, roughly: a file entry holds its path, counts and one
 * statistics record per column; the schema is a base64 string.
 */
export function manifestWeight(m: Manifest): number {
  const columns = m.files[0]?.columns.length ?? 0;
  return 1024 + m.schema.length * 2 + m.files.length * (320 + 160 * columns);
}

export class ManifestCache {
  private readonly entries = new Map<string, { manifest: Manifest; weight: number }>();
  private used = 0;

  constructor(readonly budgetBytes = DEFAULT_MANIFEST_CACHE_BYTES) {}

  get(table: string, rel: string): Manifest | undefined {
    const key = keyOf(table, rel);
    const e = this.entries.get(key);
    if (!e) return undefined;
    // Map order is insertion order: re-inserting keeps the front least recently used.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.manifest;
  }

  set(table: string, rel: string, manifest: Manifest): void {
    const key = keyOf(table, rel);
    const weight = manifestWeight(manifest);
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.used -= old.weight;
    }
    // One manifest larger than the whole budget is still kept (alone): its readers need it now.
    for (const [k, e] of this.entries) {
      if (this.used + weight <= this.budgetBytes) break;
      this.entries.delete(k);
      this.used -= e.weight;
    }
    this.entries.set(key, { manifest, weight });
    this.used += weight;
  }

  /** Forgets every manifest of one table. */
  forget(table: string): void {
    const prefix = keyOf(table, '');
    for (const [k, e] of this.entries) {
      if (!k.startsWith(prefix)) continue;
      this.entries.delete(k);
      this.used -= e.weight;
    }
  }

  stats(): { entries: number; bytes: number; budgetBytes: number } {
    return { entries: this.entries.size, bytes: this.used, budgetBytes: this.budgetBytes };
  }
}

const keyOf = (table: string, rel: string) => `${table}\u0000${rel}`;
