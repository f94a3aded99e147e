// The names of the local coordinator's tables, held in memory so that a listing reads no file.
// One process owns the data root (its LOCK file), so after one scan of the log directory every
// change to the set of tables passes through this process: a table's first commit adds its name,
// a drop removes it. The bound is one string per table (100,000 tables of 20-character names:
// about 5 MB with the sorted copy).
export class TableNameIndex {
  private readonly names = new Set<string>();
  /** The names in order, rebuilt on the first listing after a change. */
  private sorted: string[] | null = [];
  /** Changes made while a scan is under way, per scan: replayed over its result. */
  private readonly scans = new Set<Map<string, boolean>>();

  /**
   * Starts a scan of the log directory; `finish` replaces the set with what it found. A table
   * created or dropped while the scan ran may be missing from (or still in) what it found, so
   * the changes made meanwhile are applied again over it.
   */
  beginScan(): { finish(found: Iterable<string>): void; abandon(): void } {
    const changes = new Map<string, boolean>();
    this.scans.add(changes);
    return {
      abandon: () => void this.scans.delete(changes),
      finish: (found) => {
        this.scans.delete(changes);
        this.names.clear();
        for (const n of found) this.names.add(n);
        for (const [n, present] of changes) {
          if (present) this.names.add(n);
          else this.names.delete(n);
        }
        this.sorted = null;
      },
    };
  }

  add(name: string): void {
    for (const changes of this.scans) changes.set(name, true);
    if (this.names.has(name)) return;
    this.names.add(name);
    this.sorted = null;
  }

  delete(name: string): void {
    for (const changes of this.scans) changes.set(name, false);
    if (this.names.delete(name)) this.sorted = null;
  }

  /** The names that start with `prefix`, in code-unit order (as a sort of strings gives). */
  withPrefix(prefix = ''): string[] {
    const all = (this.sorted ??= [...this.names].sort());
    if (prefix === '') return all.slice();
    // Names with a prefix are one run of the sorted array: find its start, read while it matches.
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (all[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < all.length && all[i]!.startsWith(prefix); i++) out.push(all[i]!);
    return out;
  }
}
