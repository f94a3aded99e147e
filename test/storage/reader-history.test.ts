// Reading a long history: the manifest reads run with bounded concurrency (a history of more
// versions than the process has file descriptors still reads, no EMFILE), and the manifest cache
// stays within its byte budget however many versions are read.
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LocalCoordinator } from '../../src/coord/local-coordinator.ts';
import { ManifestCache, manifestWeight } from '../../src/storage/manifest-cache.ts';
import { TableReader } from '../../src/storage/table-reader.ts';
import { StorageLayout } from '../../src/storage/layout.ts';
import { ParquetPool } from '../../src/storage/parquet-pool.ts';
import { closeStore, part, put, tempStore } from './maintenance-fixtures.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const VERSIONS = 300;
// Node, tsx and the store hold a few dozen descriptors of their own; 300 manifest reads at once
// would need 300 more.
const FD_LIMIT = 120;

test(`a history of ${VERSIONS} versions reads with ${FD_LIMIT} file descriptors, and the manifest cache keeps to its budget`, { timeout: 240_000 }, async () => {
  const store = tempStore();
  try {
    for (let i = 0; i < VERSIONS; i++) await put(store, 'long', part(i, [1]), 'overwrite');
    const child = execFileSync('sh', ['-c', `ulimit -n ${FD_LIMIT} && exec "$0" --import tsx "$1" "$2" long`, process.execPath, path.join(here, 'reader-history-child.ts'), store.root], { encoding: 'utf8' });
    const out = JSON.parse(child.trim().split('\n').at(-1)!) as { versions?: number[]; error?: string };
    assert.equal(out.error, undefined, `history failed under ulimit -n ${FD_LIMIT}: ${out.error}`);
    assert.deepEqual(out.versions, Array.from({ length: VERSIONS }, (_, i) => i + 1));

    // A reader whose cache holds about 20 of these manifests reads all of them, correctly, twice.
    const pool = new ParquetPool(1);
    const one = (await store.snapshot('long', 1));
    const budget = manifestWeight(one) * 20;
    const reader = new TableReader(new StorageLayout(store.root), new LocalCoordinator(path.join(store.root, 'log')), pool, 0, { manifestCacheBytes: budget });
    try {
      for (let round = 0; round < 2; round++) {
        const history = await reader.history('long');
        assert.deepEqual(history.map((m) => m.version), Array.from({ length: VERSIONS }, (_, i) => i + 1));
        assert.ok(history.every((m) => m.rows === 1 && m.files.length === 1));
        const stats = reader.manifestCacheStats();
        assert.ok(stats.bytes <= budget, `manifest cache holds ${stats.bytes} estimated bytes, budget ${budget}`);
        assert.ok(stats.entries < VERSIONS, `manifest cache kept all ${stats.entries} manifests`);
      }
    } finally {
      await pool.close();
    }
  } finally {
    await closeStore(store);
  }
});

test('the manifest cache drops the least recently used first and forgets a table', () => {
  const m = (table: string, version: number) => ({ formatVersion: 1, table, tableId: 't', version, parentVersion: null, operation: 'append', committedAt: '', schema: 'AAAA', files: [], rows: 0, arrowBytes: 0, added: { files: 0, rows: 0 } }) as never;
  const w = manifestWeight(m('a', 1));
  const cache = new ManifestCache(w * 3);
  cache.set('a', '1', m('a', 1));
  cache.set('a', '2', m('a', 2));
  cache.set('b', '1', m('b', 1));
  assert.ok(cache.get('a', '1')); // now the most recently used
  cache.set('b', '2', m('b', 2));
  assert.equal(cache.get('a', '2'), undefined, 'the least recently used entry went first');
  assert.ok(cache.get('a', '1'));
  assert.equal(cache.stats().entries, 3);
  cache.forget('a');
  assert.equal(cache.get('a', '1'), undefined);
  assert.deepEqual(cache.stats(), { entries: 2, bytes: w * 2, budgetBytes: w * 3 });
});
