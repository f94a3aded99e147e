// Run by reader-history.test.ts in a process with few file descriptors (`ulimit -n`): reads the
// whole history of a table on an existing data root with a fresh reader (nothing cached) and
// prints how many manifests came back, or the error.
import path from 'node:path';
import { LocalCoordinator } from '../../src/coord/local-coordinator.ts';
import { TableStore } from '../../src/storage/table-store.ts';

const [root, table] = process.argv.slice(2) as [string, string];
const store = new TableStore(root, new LocalCoordinator(path.join(root, 'log')), { compression: 'zstd', rowGroupRows: 1_000_000, maxBufferedBytes: 1 << 20 }, { parquetWorkers: 1, cacheBytes: 0 });
try {
  const history = await store.reader.history(table);
  process.stdout.write(JSON.stringify({ versions: history.map((m) => m.version) }) + '\n');
} catch (e) {
  process.stdout.write(JSON.stringify({ error: (e as Error).message }) + '\n');
} finally {
  await store.close();
}
