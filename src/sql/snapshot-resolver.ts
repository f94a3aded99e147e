// Which version of each table a statement reads. Planning resolves a name without a version to
// the session's quiver.as_of version or else the head, and records the pin; execution resolves
// it to the pinned version, so a DoGet after later commits returns exactly what the plan saw.
// A version named in the SQL (time travel) is read as named. An expired or re-created table is
// NOT_FOUND, as a Flight DoGet of an expired ticket is.
import { notFound } from '../errors.ts';
import type { PinnedTable, TableResolver } from './engine/sql-engine.ts';
import type { Pins } from './statement-handles.ts';
import type { TableWrites } from './table-writes.ts';

export interface ResolverOptions {
  /** ms since the epoch: the session's quiver.as_of. */
  asOf?: number;
  /** The versions a ticket pinned. */
  pins?: Pins;
  /** A superseded version stays readable this long after it was superseded. */
  retentionMs: number;
}

export class SnapshotResolver implements TableResolver {
  /** What names without a version resolved to: the pins a ticket carries. */
  readonly pins: Pins = {};
  private readonly cache = new Map<string, Promise<PinnedTable>>();

  constructor(private readonly tables: TableWrites, private readonly options: ResolverOptions) {}

  resolve(name: string, version?: number): Promise<PinnedTable> {
    const key = `${name}\u0000${version ?? ''}`;
    let found = this.cache.get(key);
    if (!found) {
      found = this.lookUp(name, version);
      this.cache.set(key, found);
    }
    return found;
  }

  private async lookUp(name: string, version?: number): Promise<PinnedTable> {
    const pin = version === undefined ? this.options.pins?.[name] : undefined;
    let wanted = version ?? pin?.version;
    if (wanted === undefined && this.options.asOf !== undefined) wanted = await this.tables.versionAsOf(name, this.options.asOf);
    const found = await this.tables.version(name, wanted);
    if (pin && found.tableId !== pin.tableId) {
      throw notFound(`table ${JSON.stringify(name)} was dropped and re-created since this statement was planned; run it again`);
    }
    if (found.supersededAt !== null && found.supersededAt + this.options.retentionMs < Date.now()) {
      throw notFound(`version ${found.pinned.version} of table ${JSON.stringify(name)} has expired (superseded longer ago than the retention period); run the statement again for the current version`);
    }
    if (version === undefined) this.pins[name] = { version: found.pinned.version, tableId: found.tableId };
    return found.pinned;
  }
}
