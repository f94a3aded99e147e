// The one commit path, under the two publish failures it must tell apart: a lost
// compare-and-set (nothing committed: every file of the commit is removed, and the caller's
// policy says whether that fails the write or gives the round up) and an unknown outcome (the
// log may hold the commit: every file stays). A real local coordinator publishes; only the
// failure is injected, at the moment a ZooKeeper publish would meet it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { CommitConflictError, CommitOutcomeUnknownError, type LogEntry, type TableCatalog } from '../../src/coord/coordinator.ts';
import { LocalCoordinator } from '../../src/coord/local-coordinator.ts';
import { QuiverError } from '../../src/errors.ts';
import { toStatus } from '../../src/flight/status.ts';
import { commitCompaction, planCompaction, rewriteRuns } from '../../src/storage/maintenance/compaction.ts';
import { TableStore } from '../../src/storage/table-store.ts';
import { tableDirName } from '../../src/table-names.ts';
import { part, put } from './maintenance-fixtures.ts';

/** A local coordinator whose next publish loses its race, or is applied but its reply lost. */
class FaultyPublish extends LocalCoordinator {
  next: 'conflict' | 'unknown' | null = null;

  override async publish(table: string, expected: number, manifest: string, catalog?: TableCatalog): Promise<LogEntry> {
    const fault = this.next;
    this.next = null;
    if (fault === 'conflict') throw new CommitConflictError(table, expected, expected + 1);
    const entry = await super.publish(table, expected, manifest, catalog);
    if (fault === 'unknown') throw new CommitOutcomeUnknownError(table, entry.version, manifest);
    return entry;
  }
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-commit-'));
const coordinator = new FaultyPublish(path.join(root, 'log'));
const store = new TableStore(root, coordinator, { compression: 'zstd', rowGroupRows: 1_000_000, maxBufferedBytes: 64 * 1024 * 1024 }, { parquetWorkers: 1 });
after(async () => {
  await store.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const filesOf = (table: string) => ['data', 'manifests'].flatMap((sub) => fs.readdirSync(path.join(store.tableDir(table), sub)).map((f) => `${sub}/${f}`)).sort();
const inFlight = (table: string) => store.writes.since(tableDirName(table)) !== Infinity;

test('a write that loses the compare-and-set fails ABORTED, leaves no file, and the client is told to send it again', async () => {
  await put(store, 'lost', part(1, [3]));
  const before = filesOf('lost');
  coordinator.next = 'conflict';
  const error = await put(store, 'lost', part(2, [3])).then(() => assert.fail('a lost publish was acknowledged'), (e: unknown) => e);
  assert.ok(error instanceof QuiverError && error.code === 'ABORTED' && error.retriable, String(error));
  assert.equal(error.message, 'table "lost" moved from version 1 to 2 during the commit; nothing was committed');
  assert.equal(toStatus(error).details, 'table "lost" moved from version 1 to 2 during the commit; nothing was committed, send the stream again');
  assert.deepEqual(filesOf('lost'), before, 'the staged data file and the manifest are removed');
  assert.equal((await store.snapshot('lost')).version, 1);
  assert.ok(!inFlight('lost'));
});

test('a write whose outcome is unknown keeps its data file and manifest: the log holds the commit', async () => {
  await put(store, 'unknown', part(1, [3]));
  const before = filesOf('unknown');
  coordinator.next = 'unknown';
  await assert.rejects(put(store, 'unknown', part(2, [3])), CommitOutcomeUnknownError);
  const after = filesOf('unknown');
  assert.equal(after.length, before.length + 2, 'one data file and one manifest more');
  const head = await store.snapshot('unknown');
  assert.equal(head.version, 2);
  for (const f of head.files) assert.ok(after.includes(f.path), `${f.path} of the committed version is there`);
  assert.ok(!inFlight('unknown'));
});

test('a compaction that loses the compare-and-set gives the round up and removes its files', async () => {
  for (let i = 0; i < 3; i++) await put(store, 'compact', part(i, [2]));
  const before = filesOf('compact');
  const base = await store.snapshot('compact');
  const { runs } = planCompaction(base, { smallFileBytes: Infinity, minSmallFiles: 2 }, store.staging);
  const rewritten = await rewriteRuns(store, base, runs);
  assert.ok(inFlight('compact'), 'the rewrite\'s files count as a write in flight until it commits');
  coordinator.next = 'conflict';
  const result = await commitCompaction(rewritten);
  assert.deepEqual(result, { compacted: false, reason: 'table "compact" moved from version 3 to 4 during the commit; the next round starts from the new head' });
  assert.deepEqual(filesOf('compact'), before);
  assert.ok(!inFlight('compact'));
  assert.equal((await store.snapshot('compact')).version, 3);
});
