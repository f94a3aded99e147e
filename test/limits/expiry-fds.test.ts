// Expiry reads a table's retained manifests with bounded concurrency: a table with hundreds of
// versions is expired by a process allowed few open files (ulimit -n), which reading every
// manifest at once would exhaust (EMFILE).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { tableFromArrays } from 'apache-arrow';
import { decodeSchema, inspectMessage } from '../../src/arrow/ipc-message.ts';
import { LocalCoordinator } from '../../src/coord/local-coordinator.ts';
import type { StagedBatch } from '../../src/storage/file-stager.ts';
import { TableStore } from '../../src/storage/table-store.ts';
import { framesOf } from '../harness/arrow-frames.ts';
import { PROJECT_ROOT, tempDir } from '../harness/quiver-process.ts';

const VERSIONS = 200;
const FD_LIMIT = 100;
let root: string;

before(async () => {
  root = tempDir('quiver-limits-expiry-');
  const store = new TableStore(root, new LocalCoordinator(path.join(root, 'log')), { compression: 'zstd', rowGroupRows: 1_000, maxBufferedBytes: 1 << 20 }, { parquetWorkers: 1 });
  try {
    const frames = framesOf(tableFromArrays({ x: Int32Array.from([1]) }));
    for (let v = 0; v < VERSIONS; v++) {
      const write = await store.beginWrite('t', 'append', frames[0]!.header, decodeSchema(frames[0]!.header));
      for (const frame of frames.slice(1)) await write.add({ frame, info: inspectMessage(frame.header) as StagedBatch['info'] });
      await write.commit();
    }
  } finally {
    await store.close();
  }
});
after(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

test(`expiring ${VERSIONS} versions within ${FD_LIMIT} open files`, () => {
  const child = path.join(PROJECT_ROOT, 'test/limits/expire-child.ts');
  const out = execFileSync('bash', ['-c', `ulimit -n ${FD_LIMIT} && exec "$0" --import tsx "$1" "$2"`, process.execPath, child, root], { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.deepEqual(JSON.parse(out.trim()), { expired: VERSIONS - 1, manifestsDeleted: VERSIONS - 1 });
});
