// The coordinator a table store on an object store commits through: any coordinator (the
// bucket's own log in embedded mode, ZooKeeper in a cluster) with one step put in front of its
// publish, so that the commit path (commit.ts) stays the same for every kind of storage: the
// version's manifest and new data files go to the bucket first (object-files.ts), and only then
// is the log entry created. A log entry therefore never references an object the bucket does
// not hold. A commit that fails after the put leaves unreferenced objects, which orphan
// collection removes after its grace period, as it removes unreferenced files on a filesystem.
import type { CommitLock, Coordinator, LogEntry, PublishedVersions, TableCatalog, TableHead, VersionToPublish } from '../coord/coordinator.ts';
import type { ObjectFiles } from './object-files.ts';

export class ObjectPublishingCoordinator implements Coordinator {
  constructor(private readonly inner: Coordinator, private readonly files: ObjectFiles) {}

  get kind(): Coordinator['kind'] {
    return this.inner.kind;
  }

  get cluster(): Coordinator['cluster'] {
    return this.inner.cluster;
  }

  async publish(table: string, expected: number, manifest: string, catalog?: TableCatalog): Promise<LogEntry> {
    const staged = await this.files.publishVersion(table, manifest);
    const entry = await this.inner.publish(table, expected, manifest, catalog);
    await this.files.settle(table, staged).catch(() => undefined);
    return entry;
  }

  async publishVersions(table: string, expected: number, versions: VersionToPublish[]): Promise<PublishedVersions> {
    // Each version's objects are in the bucket before any of the group's entries is created.
    const staged: string[][] = [];
    for (const v of versions) staged.push(await this.files.publishVersion(table, v.manifest));
    const result = await this.inner.publishVersions(table, expected, versions);
    // The files of committed versions only: an unknown outcome keeps everything where it is.
    await Promise.all(staged.slice(0, result.entries.length).map((s) => this.files.settle(table, s).catch(() => undefined)));
    return result;
  }

  lockTable(table: string): Promise<CommitLock> {
    return this.inner.lockTable(table);
  }
  head(table: string): Promise<LogEntry | null> {
    return this.inner.head(table);
  }
  entry(table: string, version: number): Promise<LogEntry | null> {
    return this.inner.entry(table, version);
  }
  entries(table: string): Promise<LogEntry[]> {
    return this.inner.entries(table);
  }
  dropTable(table: string): Promise<void> {
    return this.inner.dropTable(table);
  }
  watchHead(table: string, listener: (head: LogEntry | null) => void): () => void {
    return this.inner.watchHead(table, listener);
  }
  tables(): Promise<string[]> {
    return this.inner.tables();
  }
  listHeads(prefix?: string): Promise<TableHead[]> {
    return this.inner.listHeads(prefix);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  expire(table: string, versions: number[]): Promise<number[]> {
    return this.inner.expire(table, versions);
  }
  confirmWriter(what: string): Promise<void> {
    return this.inner.confirmWriter(what);
  }
}
