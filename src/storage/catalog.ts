// The catalog questions about a data root, and dropping a table: which tables there are, what
// each one's current version holds (answered from the coordinator's catalog where it has one,
// so a follower in a cluster asks ZooKeeper alone), and what a commit records there. A table
// damaged on disk (DATA_LOSS) is left out of a listing and logged: the other tables stay listed,
// and the damaged one still answers DATA_LOSS to whoever reads it by name.
import fs from 'node:fs/promises';
import type { Coordinator, TableCatalog } from '../coord/coordinator.ts';
import { isNotFound, removeQuietly } from '../durable-files.ts';
import { QuiverError, notFound } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { validateTableName } from '../table-names.ts';
import type { StorageLayout } from './layout.ts';
import { schemaBytes, type Manifest } from './manifest.ts';
import type { TableReader } from './table-reader.ts';

/** A table's current version as a listing shows it: from the coordinator's catalog when it has one. */
export interface TableDescription extends TableCatalog {
  table: string;
  version: number;
}

/** What the coordinator's catalog holds of a version (createdAt: the table's first commit, when known). */
export function catalogOf(m: Manifest, createdAt: string | null): TableCatalog {
  return {
    tableId: m.tableId,
    createdAt,
    committedAt: m.committedAt,
    schema: m.schema,
    formats: [...new Set(m.files.map((f) => f.format))].sort(),
    files: m.files.length,
    rows: m.rows,
    arrowBytes: m.arrowBytes,
  };
}

export class Catalog {
  constructor(
    private readonly layout: StorageLayout,
    private readonly coordinator: Coordinator,
    private readonly reader: TableReader,
    private readonly log?: Logger,
  ) {}

  async list(prefix = ''): Promise<Manifest[]> {
    const names = (await this.coordinator.tables()).filter((n) => n.startsWith(prefix));
    const out: Manifest[] = [];
    for (const n of names) {
      const m = await this.skipUnlisted(n, this.reader.snapshot(n));
      if (m) out.push(m);
    }
    return out;
  }

  /**
   * The current version of every table whose name starts with `prefix`, answered from the
   * coordinator's catalog (in a cluster: ZooKeeper alone); a table published without a catalog
   * entry is described from its manifest.
   */
  async describeTables(prefix = ''): Promise<TableDescription[]> {
    const out: TableDescription[] = [];
    for (const { table, head } of await this.coordinator.listHeads(prefix)) {
      const catalog = head.catalog ?? (await this.skipUnlisted(table, this.reader.manifest(table, head.manifest).then((m) => catalogOf(m, null))));
      if (catalog) out.push({ table, version: head.version, ...catalog });
    }
    return out;
  }

  /** The Schema message of a table's current version, from the catalog when it has it. */
  async currentSchema(name: string): Promise<Uint8Array> {
    validateTableName(name);
    const head = await this.coordinator.head(name);
    if (head?.catalog) return new Uint8Array(Buffer.from(head.catalog.schema, 'base64'));
    return schemaBytes(await this.reader.snapshot(name));
  }

  /** Drops a table: its log goes first (under the commit lock), then its directory. */
  async drop(name: string): Promise<void> {
    validateTableName(name);
    const lock = await this.coordinator.lockTable(name);
    try {
      if (!(await this.coordinator.head(name))) throw notFound(`table ${JSON.stringify(name)} does not exist`);
      await this.coordinator.dropTable(name);
      const trash = this.layout.newDroppedDir();
      await fs.rename(this.layout.tableDir(name), trash).catch((e) => {
        if (!isNotFound(e)) throw e;
      });
      this.reader.forget(name);
      await removeQuietly(trash);
    } finally {
      await lock.release();
    }
  }

  /** Dropped between listing and reading, or damaged on disk: left out of a listing, not its error. */
  private async skipUnlisted<T>(table: string, read: Promise<T>): Promise<T | null> {
    try {
      return await read;
    } catch (e) {
      if (!(e instanceof QuiverError) || (e.code !== 'NOT_FOUND' && e.code !== 'DATA_LOSS')) throw e;
      if (e.code === 'DATA_LOSS') this.log?.warn(`left table ${JSON.stringify(table)} out of a listing: ${e.message}`, { table });
      return null;
    }
  }
}
