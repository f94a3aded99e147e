// What must hold after any failure: checked from the version log in ZooKeeper, the manifests and
// data files on the shared root, and the table as a replica serves it.
//
// - versions are contiguous: the log holds exactly 1..head of the current generation;
// - every retained manifest is the version its log entry names, its parent is the version
//   before, and every file it references exists;
// - every version added exactly one whole write, and every acknowledged write is in the final
//   version exactly once (so no acknowledged write was lost or applied twice);
// - nothing is there that no writer sent, and no reader ever saw part of a write.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { manifestFromJson, type Manifest } from '../../src/storage/manifest.ts';
import { parseLogEntryName } from '../../src/coord/zookeeper/znode-layout.ts';
import { tableDirName } from '../../src/table-names.ts';
import type { ReplicaCluster } from './cluster-replicas.ts';
import { WRITE_ROWS, rowsPerId, type ReadLog, type WriteLog } from './cluster-workload.ts';

export interface InvariantReport {
  versions: number;
  acked: number;
  /** Writes that failed for the client but were committed (outcome unknown to it). */
  committedUnacknowledged: number;
}

export async function checkClusterInvariants(cluster: ReplicaCluster, table: string, writes: WriteLog, reads: ReadLog): Promise<InvariantReport> {
  assert.deepEqual(reads.violations, [], 'readers saw partial or foreign writes');

  const log = await cluster.admin(async (s) => {
    const pointerPath = cluster.layout.pointer(table);
    const pointer = await s.getData(pointerPath);
    assert.ok(pointer, `table ${table} has no pointer node`);
    const { generation, version: head } = JSON.parse(pointer.data.toString()) as { generation: number; version: number };
    const names = (await s.getChildren(pointerPath)).map(parseLogEntryName).filter((e) => e !== null && e.generation === generation);
    const versions = names.map((e) => e!.version).sort((a, b) => a - b);
    assert.deepEqual(versions, Array.from({ length: head }, (_, i) => i + 1), 'the log holds versions 1..head, contiguous, and nothing past the head');
    const entries: { version: number; manifest: string }[] = [];
    for (const v of versions) {
      const name = `${String(generation).padStart(10, '0')}-${String(v).padStart(20, '0')}`;
      const node = await s.getData(`${pointerPath}/${name}`);
      entries.push(JSON.parse(node!.data.toString()) as { version: number; manifest: string });
    }
    return { head, entries };
  });

  const dir = path.join(cluster.data, 'tables', tableDirName(table));
  let previous = null as Manifest | null;
  for (const entry of log.entries) {
    const file = path.join(dir, entry.manifest);
    const m = manifestFromJson(await fs.readFile(file, 'utf8'), file);
    assert.equal(m.version, entry.version, `${entry.manifest} is the manifest of version ${m.version}, but the log names it for ${entry.version}`);
    assert.equal(m.parentVersion, previous ? previous.version : null, `version ${m.version} does not follow version ${previous?.version ?? 'none'}`);
    assert.equal(m.added.rows, WRITE_ROWS, `version ${m.version} added ${m.added.rows} rows, not one whole write`);
    assert.equal(m.rows, m.version * WRITE_ROWS, `version ${m.version} has ${m.rows} rows`);
    for (const f of m.files) {
      await fs.stat(path.join(dir, f.path)).catch(() => assert.fail(`version ${m.version} references ${f.path}, which does not exist`));
    }
    previous = m;
  }

  const reader = cluster.live[0];
  assert.ok(reader, 'no live replica to read the final version from');
  const final = rowsPerId(await reader.client.readTable(table, { deadline: 20_000 }));
  assert.equal(final.size, log.head, 'every version adds exactly one write, so there are as many writes as versions');
  for (const [id, rows] of final) {
    assert.equal(rows, WRITE_ROWS, `write ${id} has ${rows} rows in the final version`);
    assert.ok(writes.attempted.has(id), `write ${id} is in the table but no writer sent it`);
  }
  const lost = [...writes.acked].filter((id) => !final.has(id));
  assert.deepEqual(lost, [], 'acknowledged writes missing from the final version');
  return { versions: log.head, acked: writes.acked.size, committedUnacknowledged: final.size - writes.acked.size };
}
