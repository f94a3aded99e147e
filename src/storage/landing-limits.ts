// The disk bound of the Arrow IPC landing: landed files take 1.5-2.5x the disk of their Parquet
// form until conversion settles them, so a DoPut that finds its table, or all tables together,
// past a limit of unconverted bytes waits (asking conversion to hurry) for a bounded time and
// then fails RESOURCE_EXHAUSTED, retriable, before it stages anything. The per-table figure is
// read from the table's current version; the total is the sum over the tables this process has
// seen commit or convert (the leader takes every write and runs every conversion).
import { decodeSchema } from '../arrow/ipc-message.ts';
import { QuiverError } from '../errors.ts';
import { schemaBytes, type DataFile, type Manifest } from './manifest.ts';
import { parquetIneligibility } from './parquet-eligibility.ts';

export interface LandingLimits {
  /** Unconverted Arrow IPC bytes (on disk) of one table past which a DoPut waits; 0: none. */
  readonly maxTableLandedBytes: number;
  /** The same over all tables; 0: none. */
  readonly maxLandedBytes: number;
  /** How long a DoPut waits before RESOURCE_EXHAUSTED. */
  readonly landedWaitMs: number;
}

const RECHECK_MS = 100;

export class LandedBytes {
  private readonly byTable = new Map<string, number>();
  private total = 0;
  /** Asks conversion for a round of `table` now (the conversion loop sets it on the leader). */
  hurry: (table: string) => void = () => undefined;

  /** Records the landed bytes of `table`'s newest version (0 once it is all Parquet or dropped). */
  set(table: string, bytes: number): void {
    this.total += bytes - (this.byTable.get(table) ?? 0);
    if (bytes > 0) this.byTable.set(table, bytes);
    else this.byTable.delete(table);
  }

  get totalBytes(): number {
    return this.total;
  }

  /**
   * Resolves when a write to `table` may land more bytes; throws RESOURCE_EXHAUSTED once it has
   * waited `landedWaitMs` for conversion. `landed` reads the table's landed bytes afresh.
   */
  async admit(table: string, limits: LandingLimits, landed: () => Promise<number>, signal?: AbortSignal): Promise<void> {
    const started = Date.now();
    for (;;) {
      const own = await landed();
      this.set(table, own);
      const over = overLimit(table, own, this.total, limits);
      if (!over) return;
      if (Date.now() - started >= limits.landedWaitMs) {
        throw new QuiverError('RESOURCE_EXHAUSTED', `${over}; DoPut waited ${Math.round(limits.landedWaitMs / 1000)} s for conversion to Parquet to catch up. Retry later, or raise the limit (a cluster setting)`, { retriable: true });
      }
      this.hurry(table);
      signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, RECHECK_MS));
    }
  }
}

function overLimit(table: string, own: number, total: number, limits: LandingLimits): string | null {
  if (limits.maxTableLandedBytes > 0 && own >= limits.maxTableLandedBytes) {
    return `table ${JSON.stringify(table)} holds ${own} bytes of Arrow IPC files not yet converted to Parquet, at or past --max-table-landed-bytes (${limits.maxTableLandedBytes})`;
  }
  if (limits.maxLandedBytes > 0 && total >= limits.maxLandedBytes) {
    return `the server holds ${total} bytes of Arrow IPC files not yet converted to Parquet, at or past --max-landed-bytes (${limits.maxLandedBytes})`;
  }
  return null;
}

/** Files of this process's conversion rounds that could not become Parquet; never tried again by it. */
const unconvertible = new Set<string>();

/** How much of a version is still Arrow IPC that conversion would turn into Parquet. */
export function landedOf(manifest: Manifest): { files: number; fileBytes: number; arrowBytes: number } {
  const out = { files: 0, fileBytes: 0, arrowBytes: 0 };
  for (const i of convertibleFiles(manifest)) {
    const f = manifest.files[i]!;
    out.files++;
    out.fileBytes += f.fileBytes;
    out.arrowBytes += f.arrowBytes;
  }
  return out;
}

/** Indexes of the files of `manifest` conversion would rewrite, in order. */
export function convertibleFiles(manifest: Manifest): number[] {
  if (!manifest.files.some((f) => f.format === 'arrow-stream')) return [];
  if (parquetIneligibility(decodeSchema(schemaBytes(manifest))) !== null) return [];
  const out: number[] = [];
  manifest.files.forEach((f, i) => {
    if (f.format === 'arrow-stream' && f.rows > 0 && !unconvertible.has(`${manifest.tableId}/${f.path}`)) out.push(i);
  });
  return out;
}

export function markUnconvertible(manifest: Manifest, file: DataFile): void {
  unconvertible.add(`${manifest.tableId}/${file.path}`);
}
