// What must hold after every nemesis step, checked from ZooKeeper (the version log), the shared
// data root (manifests and data files) and the table as a replica serves it, while no writer
// runs. Incremental, so that a step costs the same at step 1,000 as at step 1: the manifests of
// versions checked before are not read again (they are immutable), only the head's files.
//
// - versions are contiguous: the log holds exactly 1..head of the pointer's generation;
// - each version's manifest is the version its log entry names, follows the version before, and
//   adds whole writes only (a multiple of WRITE_ROWS rows; maintenance may add none);
// - every file the head manifest references exists;
// - the table read back holds every acknowledged write exactly once, each write whole, nothing
//   no writer sent, nothing whose DoPut was refused, and as many writes as the head has rows.
import fs from 'node:fs/promises';
import path from 'node:path';
import { manifestFromJson, type Manifest } from '../../src/storage/manifest.ts';
import { logEntryName, parseLogEntryName } from '../../src/coord/zookeeper/znode-layout.ts';
import { tableDirName } from '../../src/table-names.ts';
import { WRITE_ROWS, rowsPerId } from '../harness/cluster-workload.ts';
import type { FaultCluster } from './fault-cluster.ts';
import type { TableLog } from './fault-workload.ts';

interface Checked {
  generation: number;
  head: Manifest | null;
}

export class InvariantChecker {
  private readonly checked = new Map<string, Checked>();

  constructor(private readonly cluster: FaultCluster) {}

  /** The violations found in `table` (empty: all hold); throws only when it cannot look. */
  async check(table: string, log: TableLog): Promise<string[]> {
    const violations: string[] = [];
    if (log.attempted.size === 0) return violations;
    const pointerPath = this.cluster.layout.pointer(table);
    const known = this.checked.get(table) ?? { generation: -1, head: null };
    const fromLog = await this.cluster.admin(async (s) => {
      const pointer = await s.getData(pointerPath);
      if (!pointer) return null;
      const { generation, version: head } = JSON.parse(pointer.data.toString()) as { generation: number; version: number };
      const versions = (await s.getChildren(pointerPath)).map(parseLogEntryName).filter((e) => e !== null && e.generation === generation).map((e) => e!.version).sort((a, b) => a - b);
      const from = known.generation === generation && known.head ? known.head.version + 1 : 1;
      const entries: { version: number; manifest: string }[] = [];
      for (let v = from; v <= head; v++) {
        const node = await s.getData(`${pointerPath}/${logEntryName(generation, v)}`);
        if (node) entries.push(JSON.parse(node.data.toString()) as { version: number; manifest: string });
      }
      return { generation, head, versions, entries };
    });
    if (!fromLog) {
      if (log.acked.size > 0) violations.push(`${table}: no pointer node, yet ${log.acked.size} writes were acknowledged`);
      return violations;
    }
    const { generation, head, versions, entries } = fromLog;
    const contiguous = versions.length === head && versions.every((v, i) => v === i + 1);
    if (!contiguous) violations.push(`${table}: the log of generation ${generation} holds versions [${summarize(versions)}], not 1..${head}`);

    const dir = path.join(this.cluster.data, 'tables', tableDirName(table));
    let previous = known.generation === generation ? known.head : null;
    for (const entry of entries) {
      const file = path.join(dir, entry.manifest);
      let m: Manifest;
      try {
        m = manifestFromJson(await fs.readFile(file, 'utf8'), file);
      } catch (e) {
        violations.push(`${table}: version ${entry.version}'s manifest ${entry.manifest} cannot be read: ${(e as Error).message}`);
        return violations;
      }
      if (m.version !== entry.version) violations.push(`${table}: ${entry.manifest} is the manifest of version ${m.version}, but the log names it for ${entry.version}`);
      if (m.parentVersion !== (previous?.version ?? null)) violations.push(`${table}: version ${m.version}'s parent is ${m.parentVersion}, not ${previous?.version ?? null}`);
      const added = m.rows - (previous?.rows ?? 0);
      if (added < 0 || added % WRITE_ROWS !== 0) violations.push(`${table}: version ${m.version} changed the row count by ${added}: not whole writes`);
      previous = m;
    }
    if (previous && previous.version !== head) violations.push(`${table}: the pointer says version ${head}, the last manifest checked is version ${previous.version}`);
    if (previous) {
      for (const f of previous.files) {
        await fs.stat(path.join(dir, f.path)).catch(() => violations.push(`${table}: version ${previous!.version} references ${f.path}, which does not exist`));
      }
    }
    this.checked.set(table, { generation, head: previous });

    const reader = this.cluster.live[0];
    if (!reader) throw new Error('no live replica to read the table back from');
    const rows = rowsPerId(await reader.client.readTable(table, { deadline: 20_000 }));
    if (previous && rows.size * WRITE_ROWS !== previous.rows) violations.push(`${table}: ${reader.name} served ${rows.size} writes, version ${head} has ${previous.rows} rows`);
    for (const [id, n] of rows) {
      if (n !== WRITE_ROWS) violations.push(`${table}: write ${id} has ${n} rows, not ${WRITE_ROWS} (applied twice, or in part)`);
      if (!log.attempted.has(id)) violations.push(`${table}: write ${id} is there but no writer sent it`);
      if (log.refused.has(id)) violations.push(`${table}: write ${id} is there, yet its DoPut was refused`);
    }
    const lost = [...log.acked].filter((id) => !rows.has(id));
    if (lost.length > 0) violations.push(`${table}: ${lost.length} acknowledged writes are missing: ${lost.slice(0, 5).join(', ')}`);
    return violations;
  }
}

function summarize(versions: number[]): string {
  if (versions.length <= 12) return versions.join(',');
  return `${versions.slice(0, 5).join(',')},...,${versions.slice(-5).join(',')} (${versions.length})`;
}
