// The table log in ZooKeeper: per table a pointer node (the head, moved by compare-and-set) and
// one log node per version (layout in znode-layout.ts, node formats in table-log-nodes.ts).
// Reads go to any replica; every write is fenced by the writer's election node (writer-role.ts),
// so a writer whose session expired or who was deposed fails in the same multi, whatever it
// believes about itself.
import { CommitConflictError, CoordinationUnavailableError, type HeadOptions, type LogEntry, type PublishedVersions, type TableCatalog, type TableHead, type VersionToPublish } from '../coordinator.ts';
import { QuiverError } from '../../errors.ts';
import { CommittedEntries } from './committed-entries.ts';
import { FreshReads } from './fresh-reads.ts';
import { resolveLostPublish } from './lost-publish.ts';
import type { MultiOp, ZkSession } from './session.ts';
import { decodePointer, encodeNode, fitsInPointer, headOf, readLogEntry, readPointer, type Pointer, type PointerNode } from './table-log-nodes.ts';
import { unavailableOnLoss } from './unavailable-on-loss.ts';
import type { WriterRole } from './writer-role.ts';
import { ConnectionLossError, MultiError, ZK } from './zk-errors.ts';

const isDataLoss = (e: unknown): e is QuiverError => e instanceof QuiverError && e.code === 'DATA_LOSS';
import { logEntryName, parseLogEntryName, type ZnodeLayout } from './znode-layout.ts';

/** Log nodes removed per fenced multi: well under jute.maxbuffer. */
const EXPIRE_BATCH = 200;
/**
 * Catalog bytes a group publish puts into its log nodes, beside the pointer's own (at most
 * 256 KiB, table-log-nodes.ts): the whole multi stays under ZooKeeper's 1 MiB request limit.
 */
const GROUP_CATALOG_BYTES = 512 * 1024;

export class ZooKeeperTableLog {
  private readonly committed = new CommittedEntries();
  private readonly fresh: FreshReads;

  /** Damaged pointer nodes already reported (path and znode version), so each is logged once. */
  private readonly reported = new Set<string>();

  constructor(
    private readonly session: ZkSession,
    private readonly layout: ZnodeLayout,
    private readonly writer: WriterRole,
    /** Where damaged nodes are reported (the server's warn log). */
    private readonly log?: (message: string, fields?: Record<string, unknown>) => void,
  ) {
    this.fresh = new FreshReads(() => session.sync());
  }

  /**
   * Sees every commit acknowledged (by any replica) before the call: reads after a sync. The
   * commit path's reads on the writer skip it (its session has seen every commit already,
   * WriterRole.leadsNow): the sync was a round trip through the ensemble's leader for every
   * group and every DoPut, and should this replica have been deposed unawares, a stale head
   * only makes its fenced publish fail.
   */
  async head(table: string, options: HeadOptions = {}): Promise<LogEntry | null> {
    const node = await this.unavailableOnLoss(async () => {
      if (!(options.forCommit && this.writer.leadsNow())) await this.fresh.barrier();
      return this.pointer(table);
    });
    const head = node ? headOf(node.pointer) : null;
    return head && this.committed.remember(table, head);
  }

  async entry(table: string, version: number): Promise<LogEntry | null> {
    try {
      return await this.unavailableOnLoss(async () => {
        let node = await this.pointer(table);
        // A version newer than this member knows may have been committed through another one
        // (a ticket minted by another replica): only a synced read can say it does not exist.
        if (version >= 1 && (!node || version > node.pointer.version)) {
          await this.fresh.barrier();
          node = await this.pointer(table);
        }
        if (!node || version < 1 || version > node.pointer.version) return null;
        const found = await readLogEntry(this.session, this.layout.logEntry(table, node.pointer.generation, version), version);
        return found && this.committed.remember(table, found);
      });
    } catch (e) {
      // A committed version stays readable while ZooKeeper is not (tickets already handed out).
      const known = e instanceof CoordinationUnavailableError ? this.committed.get(table, version) : null;
      if (known) return known;
      throw e;
    }
  }

  async entries(table: string): Promise<LogEntry[]> {
    return this.unavailableOnLoss(async () => {
      await this.fresh.barrier();
      const node = await this.pointer(table);
      if (!node || node.pointer.version === 0) return [];
      const { generation, version: head } = node.pointer;
      const versions = (await this.session.getChildren(this.layout.pointer(table)))
        .map(parseLogEntryName)
        .filter((e): e is { generation: number; version: number } => e !== null && e.generation === generation && e.version <= head)
        .map((e) => e.version)
        .sort((a, b) => a - b);
      const out = await Promise.all(versions.map((v) => readLogEntry(this.session, this.layout.logEntry(table, generation, v), v)));
      return out.filter((e): e is LogEntry => e !== null);
    });
  }

  /** Every pointer, read in parallel: the catalog of the whole cluster without a manifest read. */
  async listHeads(prefix = ''): Promise<TableHead[]> {
    return this.unavailableOnLoss(async () => {
      await this.fresh.barrier();
      const keys = await this.session.getChildren(this.layout.tables);
      const paths = keys.map((k) => `${this.layout.tables}/${k}`);
      const nodes = await Promise.all(paths.map((p) => this.session.getData(p)));
      const out: TableHead[] = [];
      nodes.forEach((n, i) => {
        if (!n) return;
        let pointer: Pointer;
        try {
          pointer = decodePointer(n.data, paths[i]!);
        } catch (e) {
          // One table's damage leaves the listing of every other table working; its own reads
          // say what is wrong and how to repair it.
          if (!isDataLoss(e)) throw e;
          this.report(paths[i]!, n.stat.version, `left table node ${paths[i]} out of the listing: ${e.message}; reads of that table fail until it is repaired (docs/cluster.md, "A damaged table pointer")`);
          return;
        }
        const head = headOf(pointer);
        if (head && pointer.name.startsWith(prefix)) out.push({ table: pointer.name, head });
      });
      return out.sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
    });
  }

  /** A group of one (see publishVersions). */
  async publish(table: string, expected: number, manifest: string, catalog?: TableCatalog): Promise<LogEntry> {
    const { entries } = await this.publishVersions(table, expected, [{ manifest, ...(catalog ? { catalog } : {}) }]);
    return entries[0]!;
  }

  /**
   * Group commit in one multi: check(own election node) + move the pointer by compare-and-set
   * to the last version + create log nodes N+1 .. N+k. The multi is atomic, so the group is
   * committed whole or not at all, and the pointer moves once however many versions it carries
   * (a head watch fires once and a follower reads the entries in between). A lost reply is
   * resolved by lost-publish.ts.
   */
  async publishVersions(table: string, expected: number, versions: VersionToPublish[]): Promise<PublishedVersions> {
    if (versions.length === 0) throw new Error('publishVersions needs at least one version');
    const fence = await this.writer.fence(`commit to table ${JSON.stringify(table)}`);
    const current = await this.unavailableOnLoss(() => this.pointer(table));
    const actual = current?.pointer.version ?? 0;
    if (actual !== expected) throw new CommitConflictError(table, expected, actual);
    const generation = current?.pointer.generation ?? 0;
    // Catalogs ride in log nodes while the multi stays well under jute.maxbuffer (1 MiB); past
    // that budget a log node goes without (readers of that version fall back to its manifest).
    let budget = GROUP_CATALOG_BYTES;
    const entries = versions.map((v, i): LogEntry => {
      const entry: LogEntry = { version: expected + 1 + i, manifest: v.manifest };
      const size = v.catalog && fitsInPointer(v.catalog) ? JSON.stringify(v.catalog).length : Infinity;
      if (v.catalog && size <= budget) {
        entry.catalog = v.catalog;
        budget -= size;
      }
      return entry;
    });
    const last = versions.at(-1)!;
    const head = entries.at(-1)!;
    const pointer: Pointer = { name: table, generation, version: head.version, manifest: head.manifest };
    if (last.catalog && fitsInPointer(last.catalog)) pointer.catalog = last.catalog;
    const ops: MultiOp[] = [
      { op: 'check', path: fence, version: 0 },
      current
        ? { op: 'setData', path: this.layout.pointer(table), data: encodeNode(pointer), version: current.zversion }
        : { op: 'create', path: this.layout.pointer(table), data: encodeNode(pointer) },
      ...entries.map((entry): MultiOp => ({ op: 'create', path: this.layout.logEntry(table, generation, entry.version), data: encodeNode(entry) })),
    ];
    try {
      await this.session.multi(ops);
      return { entries };
    } catch (e) {
      if (e instanceof MultiError) throw await this.explainFailedMulti(e, table, expected);
      if (e instanceof ConnectionLossError) {
        if (!e.sent) throw new CoordinationUnavailableError(`ZooKeeper is not reachable; nothing was committed to table ${JSON.stringify(table)}`, e);
        return { entries: await resolveLostPublish(this.session, this.layout, table, current, entries, e) };
      }
      throw e;
    }
  }

  /** Bumps the pointer's generation (one fenced CAS), then sweeps the old generation's nodes. */
  async drop(table: string): Promise<void> {
    for (;;) {
      const fence = await this.writer.fence(`drop table ${JSON.stringify(table)}`);
      const current = await this.unavailableOnLoss(() => this.pointer(table));
      if (!current || current.pointer.version === 0) return;
      const old = current.pointer.generation;
      const dropped: Pointer = { name: table, generation: old + 1, version: 0, manifest: null };
      try {
        await this.session.multi([
          { op: 'check', path: fence, version: 0 },
          { op: 'setData', path: this.layout.pointer(table), data: encodeNode(dropped), version: current.zversion },
        ]);
      } catch (e) {
        if (e instanceof MultiError && e.index === 0) throw this.writer.deposed();
        // A lost reply or a lost race: the loop re-reads the pointer and stops once it is dropped.
        if (e instanceof MultiError && e.code === ZK.BAD_VERSION) continue;
        if (e instanceof ConnectionLossError) {
          await this.unavailableOnLoss(() => this.session.whenConnected());
          continue;
        }
        throw e;
      }
      this.committed.forget(table);
      await this.removeGenerationsBefore(table, old + 1);
      return;
    }
  }

  /**
   * Removes log nodes in fenced multis (check of the own election node + removes), at most
   * EXPIRE_BATCH per multi. A lost reply is harmless: the loop re-lists the log and removes what
   * is still there, so each version is removed once.
   */
  async expire(table: string, versions: number[]): Promise<number[]> {
    const removed: number[] = [];
    for (let attempt = 0; ; attempt++) {
      const fence = await this.writer.fence(`expire versions of table ${JSON.stringify(table)}`);
      const node = await this.unavailableOnLoss(() => this.pointer(table));
      if (!node || node.pointer.version === 0) return removed;
      const { generation, version: head } = node.pointer;
      const current = versions.find((v) => v >= head);
      if (current !== undefined) throw new QuiverError('FAILED_PRECONDITION', `version ${current} of table ${JSON.stringify(table)} is not superseded (the head is ${head}); only older versions can expire`);
      const present = new Set(await this.unavailableOnLoss(() => this.session.getChildren(this.layout.pointer(table))));
      const pending = [...new Set(versions)].filter((v) => present.has(logEntryName(generation, v))).sort((a, b) => a - b);
      if (pending.length === 0) return removed.sort((a, b) => a - b);
      try {
        for (let i = 0; i < pending.length; i += EXPIRE_BATCH) {
          const batch = pending.slice(i, i + EXPIRE_BATCH);
          await this.session.multi([
            { op: 'check', path: fence, version: 0 },
            // Log nodes are never modified, so an unconditional remove cannot race an update.
            ...batch.map((v): MultiOp => ({ op: 'remove', path: this.layout.logEntry(table, generation, v), version: -1 })),
          ]);
          removed.push(...batch);
          // Expired entries must not be served from memory while ZooKeeper is unreachable.
          this.committed.forget(table);
        }
        return removed.sort((a, b) => a - b);
      } catch (e) {
        if (e instanceof MultiError && e.index === 0) throw this.writer.deposed();
        if (attempt >= 5) throw e instanceof ConnectionLossError ? new CoordinationUnavailableError(`ZooKeeper is not reachable; versions of table ${JSON.stringify(table)} may be partly expired (history shows which)`, e) : e;
        // A node removed meanwhile (NO_NODE) or a lost reply: re-list and go on with the rest.
        if (e instanceof ConnectionLossError) await this.unavailableOnLoss(() => this.session.whenConnected());
        else if (!(e instanceof MultiError && e.code === ZK.NO_NODE)) throw e;
      }
    }
  }

  /** The table's pointer node; a damaged one is DATA_LOSS that says how to repair it, and is logged. */
  private async pointer(table: string): Promise<PointerNode | null> {
    const path = this.layout.pointer(table);
    try {
      return await readPointer(this.session, path);
    } catch (e) {
      if (!isDataLoss(e)) throw e;
      const repair = await this.repairAdvice(table, path).catch(() => `set it to {"name", "generation", "version", "manifest"} of the table's newest log node under it`);
      const error = new QuiverError('DATA_LOSS', `table ${JSON.stringify(table)} cannot be read: ${e.message}. Its versions are intact in the log nodes under it; to repair it, ${repair} (docs/cluster.md, "A damaged table pointer"). Other tables are not affected.`, { retriable: false, cause: e });
      const zversion = (await this.session.getData(path).catch(() => null))?.stat.version ?? -1;
      this.report(path, zversion, error.message);
      throw error;
    }
  }

  /** What to write into a damaged pointer: the head its newest log node records. */
  private async repairAdvice(table: string, path: string): Promise<string> {
    const newest = (await this.session.getChildren(path))
      .map((n) => ({ n, e: parseLogEntryName(n) }))
      .filter((x): x is { n: string; e: { generation: number; version: number } } => x.e !== null)
      .sort((a, b) => a.e.generation - b.e.generation || a.e.version - b.e.version)
      .at(-1);
    const entry = newest ? await readLogEntry(this.session, `${path}/${newest.n}`, newest.e.version) : null;
    const pointer: Pointer = entry && newest ? { name: table, generation: newest.e.generation, version: entry.version, manifest: entry.manifest } : { name: table, generation: newest?.e.generation ?? 0, version: 0, manifest: null };
    const from = entry ? `the head its newest log node ${newest!.n} records` : 'no log node is readable: an empty table';
    return `run in zkCli.sh (authenticated with the cluster's --zk-auth credentials, if it has them): set ${path} '${JSON.stringify(pointer)}' (${from})`;
  }

  private report(path: string, zversion: number, message: string): void {
    const key = `${path}@${zversion}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.log?.(message, { node: path });
  }

  private async explainFailedMulti(e: MultiError, table: string, expected: number): Promise<Error> {
    if (e.index === 0) return this.writer.deposed();
    if (e.code === ZK.BAD_VERSION || e.code === ZK.NODE_EXISTS) {
      const now = await this.pointer(table).catch(() => null);
      return new CommitConflictError(table, expected, now?.pointer.version ?? expected);
    }
    return e;
  }

  private async removeGenerationsBefore(table: string, generation: number): Promise<void> {
    try {
      const names = await this.session.getChildren(this.layout.pointer(table));
      for (const n of names) {
        if ((parseLogEntryName(n)?.generation ?? generation) < generation) await this.session.remove(`${this.layout.pointer(table)}/${n}`).catch(() => {});
      }
    } catch {
      // Leftovers of a dropped generation are never read; a later drop sweeps them.
    }
  }

  private unavailableOnLoss<T>(run: () => Promise<T>): Promise<T> {
    return unavailableOnLoss(this.session, run);
  }
}
