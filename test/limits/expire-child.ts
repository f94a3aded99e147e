// Run by expiry-fds.test.ts under a small file-descriptor limit (ulimit -n): expires every
// superseded version of table "t" in the data root given, and prints what expiry reported.
import path from 'node:path';
import { LocalCoordinator } from '../../src/coord/local-coordinator.ts';
import { expireTable } from '../../src/storage/maintenance/expiry.ts';
import { TableStore } from '../../src/storage/table-store.ts';

const root = process.argv[2]!;
const store = new TableStore(root, new LocalCoordinator(path.join(root, 'log')), { compression: 'zstd', rowGroupRows: 1_000, maxBufferedBytes: 1 << 20 }, { parquetWorkers: 1 });
try {
  const result = await expireTable(store, 't', { retentionMs: 0, now: Date.now() + 3_600_000 });
  process.stdout.write(`${JSON.stringify({ expired: result.expired.length, manifestsDeleted: result.manifestsDeleted })}\n`);
} finally {
  await store.close();
}
