// Leader-only maintenance in local mode, on real Parquet and Arrow stream files: expiry by
// retention (and leases), compaction that keeps every value, batch and app_metadata, orphan
// collection that spares referenced and young files, and compaction racing appends.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { QuiverError } from '../../src/errors.ts';
import { commitCompaction, planCompaction, rewriteRuns } from '../../src/storage/maintenance/compaction.ts';
import { expireTable } from '../../src/storage/maintenance/expiry.ts';
import { collectOrphans } from '../../src/storage/maintenance/orphan-gc.ts';
import { MaintenanceRunner, type MaintenanceSettings } from '../../src/storage/maintenance/runner.ts';
import { decodeSchema, inspectMessage } from '../../src/arrow/ipc-message.ts';
import { framesOf } from '../harness/arrow-frames.ts';
import type { TableStore } from '../../src/storage/table-store.ts';
import { age, closeStore, part, put, quietLog, readBack, tempStore } from './maintenance-fixtures.ts';

const HOUR = 3_600_000;
const settings = (over: Partial<MaintenanceSettings> = {}): MaintenanceSettings => ({
  retentionMs: HOUR,
  gcGraceMs: HOUR,
  compaction: { smallFileBytes: 1024 * 1024, minSmallFiles: 4 },
  ...over,
});
const stores: TableStore[] = [];
const newStore = () => {
  const s = tempStore();
  stores.push(s);
  return s;
};
after(async () => {
  for (const s of stores) await closeStore(s);
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exists = (store: TableStore, table: string, rel: string) => fs.existsSync(path.join(store.tableDir(table), rel));

describe('expiry', () => {
  test('versions superseded longer than the retention ago leave the log with their manifests; the current one stays', async () => {
    const store = newStore();
    const v1 = await put(store, 't', part(1, [3]));
    const v2 = await put(store, 't', part(2, [3]));
    await sleep(20);
    const v3 = await put(store, 't', part(3, [3]));
    // The clock one millisecond before v2's retention ends: v1 (superseded by v2) is past it.
    const now = Date.parse(v3.committedAt) + HOUR - 1;
    const result = await expireTable(store, 't', { retentionMs: HOUR, now });
    assert.deepEqual(result.expired, [1]);
    assert.deepEqual(result.kept, { version: 2, until: Date.parse(v3.committedAt) + HOUR, reason: 'retention' });
    assert.deepEqual((await store.history('t')).map((m) => m.version), [2, 3]);
    const manifests = fs.readdirSync(path.join(store.tableDir('t'), 'manifests'));
    assert.equal(manifests.length, 2, 'the manifest of version 1 is deleted');
    await assert.rejects(store.snapshot('t', 1), (e: unknown) => e instanceof QuiverError && e.code === 'NOT_FOUND' && /no version 1/.test(e.message));
    // Data files of v1 stay: v2 and v3 still use them (appends keep earlier files).
    for (const f of v1.files) assert.ok(exists(store, 't', f.path));

    await sleep(20);
    const report = await new MaintenanceRunner(store, settings({ retentionMs: 10 }), quietLog()).run({ tasks: ['expire'] });
    assert.equal(report.expiredVersions, 1);
    assert.deepEqual((await store.history('t')).map((m) => m.version), [3], 'the current version never expires');
    assert.deepEqual((await readBack(store, 't')).rows.length, 9);
    assert.equal(v2.version + 1, v3.version);
    await assert.rejects(store.coordinator.expire('t', [3]), (e: unknown) => e instanceof QuiverError && e.code === 'FAILED_PRECONDITION');
  });

  test('a version an endpoint lease holds is kept, and so is every newer one', async () => {
    const store = newStore();
    await put(store, 'leased', part(1, [2]));
    await put(store, 'leased', part(2, [2]));
    await put(store, 'leased', part(3, [2]));
    await sleep(30);
    const leaseUntil = Date.now() + HOUR;
    const runner = new MaintenanceRunner(store, settings({ retentionMs: 1, heldUntil: (t, v) => (t === 'leased' && v === 1 ? leaseUntil : 0) }), quietLog());
    const report = await runner.run({ tasks: ['expire'] });
    const step = report.steps[0]!;
    assert.ok(step.task === 'expire' && 'result' in step);
    assert.deepEqual(step.result.expired, []);
    assert.deepEqual(step.result.kept, { version: 1, until: leaseUntil, reason: 'lease' });
    assert.deepEqual((await store.history('leased')).map((m) => m.version), [1, 2, 3]);
  });
});

describe('compaction', () => {
  test('small Parquet files merge into one; values, nulls, batch boundaries and app_metadata are unchanged', async () => {
    const store = newStore();
    for (let i = 0; i < 6; i++) await put(store, 'pq', part(i, [5, 0, 7]), 'append', (b) => (b === 1 ? null : `part ${i} batch ${b}`));
    // DoPut lands Arrow IPC; conversion makes the six files Parquet (conversion.test.ts).
    await new MaintenanceRunner(store, settings(), quietLog()).run({ table: 'pq', tasks: ['convert'] });
    const before = await store.snapshot('pq');
    assert.equal(before.files.length, 6);
    assert.ok(before.files.every((f) => f.format === 'parquet'));
    const expected = await readBack(store, 'pq');

    const runner = new MaintenanceRunner(store, settings(), quietLog());
    const report = await runner.run({ table: 'pq', tasks: ['compact'] });
    assert.equal(report.compactedTables, 1);
    const after = await store.snapshot('pq');
    assert.equal(after.operation, 'compact');
    assert.equal(after.version, before.version + 1);
    assert.equal(after.files.length, 1);
    assert.equal(after.files[0]!.format, 'parquet');
    assert.equal(after.rows, before.rows);
    assert.deepEqual(after.added, { files: 1, rows: 0 });
    const got = await readBack(store, 'pq');
    assert.deepEqual(got.rows, expected.rows);
    assert.deepEqual(got.batchRows, expected.batchRows);
    assert.deepEqual(got.metadata, expected.metadata);
    assert.ok(got.metadata.includes('part 3 batch 2') && got.metadata.includes(null));
    assert.deepEqual(after.files[0]!.columns.map((c) => c.nullCount), ['id', 'name', 'score'].map((c) => before.files.reduce((n, f) => n + f.columns.find((x) => x.name === c)!.nullCount!, 0)));
    // The version before stays readable, from its own files, until it expires.
    assert.deepEqual((await readBack(store, 'pq', before.version)).rows, expected.rows);

    const again = await runner.run({ table: 'pq', tasks: ['compact'] });
    const step = again.steps[0]!;
    assert.ok(step.task === 'compact' && 'result' in step && !step.result.compacted && /fewer than 4/.test(step.result.reason));
  });

  test('dictionary tables (Arrow stream files) compact to one stream with the same messages', async () => {
    const store = newStore();
    for (let i = 0; i < 5; i++) await put(store, 'dict', part(i, [4, 3], true), 'append', (b) => `d${i}.${b}`);
    const before = await store.snapshot('dict');
    assert.ok(before.files.every((f) => f.format === 'arrow-stream'));
    const expected = await readBack(store, 'dict');
    const report = await new MaintenanceRunner(store, settings(), quietLog()).run({ tasks: ['compact'] });
    assert.equal(report.compactedTables, 1);
    const after = await store.snapshot('dict');
    assert.equal(after.files.length, 1);
    assert.equal(after.files[0]!.format, 'arrow-stream');
    const got = await readBack(store, 'dict');
    assert.deepEqual(got.rows, expected.rows);
    assert.deepEqual(got.batchRows, expected.batchRows);
    assert.deepEqual(got.metadata, expected.metadata);
    // Stored client messages are copied, not re-encoded: byte for byte what DoGet sent before.
    assert.deepEqual(got.frames.map((f) => [Buffer.from(f.header), Buffer.from(f.body)]), expected.frames.map((f) => [Buffer.from(f.header), Buffer.from(f.body)]));
  });

  test('only runs of neighbouring small files merge, so row order holds around a large file', async () => {
    const store = newStore();
    for (let i = 0; i < 3; i++) await put(store, 'mixed', part(i, [4]));
    await put(store, 'mixed', part(50, [20_000]));
    for (let i = 3; i < 6; i++) await put(store, 'mixed', part(i, [4]));
    const before = await store.snapshot('mixed');
    const big = before.files[3]!;
    const expected = await readBack(store, 'mixed');
    const runner = new MaintenanceRunner(store, settings({ compaction: { smallFileBytes: big.fileBytes, minSmallFiles: 4 } }), quietLog());
    await runner.run({ tasks: ['compact'] });
    const after = await store.snapshot('mixed');
    assert.equal(after.files.length, 3);
    assert.equal(after.files[1]!.path, big.path, 'the large file is kept as it is');
    assert.deepEqual((await readBack(store, 'mixed')).rows, expected.rows);
  });

  test('an append committed while compaction rewrites is kept: the compaction rebases onto it', async () => {
    const store = newStore();
    for (let i = 0; i < 5; i++) await put(store, 'race', part(i, [3]));
    const base = await store.snapshot('race');
    const { runs } = planCompaction(base, settings().compaction, store.staging);
    const rewritten = await rewriteRuns(store, base, runs);
    await put(store, 'race', part(99, [2]), 'append', () => 'late');
    const expected = await readBack(store, 'race');
    const result = await commitCompaction(rewritten);
    assert.ok(result.compacted && result.rebased);
    const after = await store.snapshot('race');
    assert.equal(after.version, base.version + 2);
    assert.equal(after.files.length, 2, 'the merged file, then the appended one');
    const got = await readBack(store, 'race');
    assert.deepEqual(got.rows, expected.rows);
    assert.deepEqual(got.metadata, expected.metadata);
  });

  test('an overwrite committed while compaction rewrites wins: the compaction gives up and removes its files', async () => {
    const store = newStore();
    for (let i = 0; i < 5; i++) await put(store, 'ow', part(i, [3]));
    const base = await store.snapshot('ow');
    const rewritten = await rewriteRuns(store, base, planCompaction(base, settings().compaction, store.staging).runs);
    const written = rewritten.rewrites.flatMap((r) => r.files.map((f) => f.path));
    assert.ok(written.every((p) => exists(store, 'ow', p)));
    await put(store, 'ow', part(7, [2]), 'overwrite');
    const result = await commitCompaction(rewritten);
    assert.ok(!result.compacted && /overwritten/.test(result.reason));
    assert.equal((await store.snapshot('ow')).operation, 'overwrite');
    assert.equal((await readBack(store, 'ow')).rows.length, 2);
    assert.ok(written.every((p) => !exists(store, 'ow', p)), 'the rewrite\'s files are removed');
  });

  test('appends racing a maintenance run lose nothing, whichever commits first', async () => {
    const store = newStore();
    for (let i = 0; i < 6; i++) await put(store, 'busy', part(i, [2, 2]));
    const runner = new MaintenanceRunner(store, settings(), quietLog());
    const [report] = await Promise.all([
      runner.run({ table: 'busy', tasks: ['compact'] }),
      (async () => {
        for (let i = 10; i < 16; i++) await put(store, 'busy', part(i, [1]));
      })(),
    ]);
    assert.equal(report.errors, 0);
    const rows = (await readBack(store, 'busy')).rows as { id: bigint }[];
    const ids = rows.map((r) => Number(r.id));
    const want = [...Array.from({ length: 6 }, (_, i) => [0, 1, 2, 3].map((k) => i * 1000 + k)).flat(), ...Array.from({ length: 6 }, (_, i) => (10 + i) * 1000)];
    assert.deepEqual(ids, want);
  });
});

describe('read-only', () => {
  test('a read-only server runs no maintenance: the run is refused and nothing changes', async () => {
    const store = newStore();
    await put(store, 'frozen', part(1, [3]));
    await sleep(20);
    await put(store, 'frozen', part(2, [3]));
    let readOnly = true;
    const runner = new MaintenanceRunner(store, settings({ retentionMs: 1, readOnly: () => readOnly }), quietLog());
    await assert.rejects(runner.run(), (e: unknown) => e instanceof QuiverError && e.code === 'FAILED_PRECONDITION' && /read-only/.test(e.message));
    assert.deepEqual((await store.history('frozen')).map((m) => m.version), [1, 2]);
    readOnly = false;
    assert.equal((await runner.run({ tasks: ['expire'] })).expiredVersions, 1);
  });
});

describe('orphan collection', () => {
  test('files of a write under way are spared with no grace period at all; committed, they are referenced', async () => {
    const store = newStore();
    // The table's first write: its directory belongs to no listed table yet.
    const [schema, ...rest] = framesOf(part(1, [3, 3], true));
    const write = await store.beginWrite('w', 'append', schema!.header, decodeSchema(schema!.header));
    const stage = async (w: typeof write) => {
      for (const frame of rest) {
        const info = inspectMessage(frame.header);
        if (info.kind !== 'schema') await w.add({ frame, info });
      }
    };
    await stage(write);
    const staged = fs.readdirSync(path.join(store.tableDir('w'), 'data'));
    assert.equal(staged.length, 1, 'a dictionary stream is staged to its file as it arrives');
    const later = Date.now() + 10 * HOUR;
    const during = await collectOrphans(store, { graceMs: 0, now: later });
    assert.equal(during.deletedFiles, 0);
    assert.deepEqual(fs.readdirSync(path.join(store.tableDir('w'), 'data')), staged);
    await write.commit();
    assert.equal((await collectOrphans(store, { graceMs: 0, now: later })).deletedFiles, 0);
    assert.equal((await readBack(store, 'w')).rows.length, 6);
    // An abandoned write's files are orphans as soon as it ends.
    const again = await store.beginWrite('w', 'append', schema!.header, decodeSchema(schema!.header));
    await stage(again);
    await again.abort();
    fs.writeFileSync(path.join(store.tableDir('w'), 'data', 'crashed-writer.arrows'), 'x');
    assert.equal((await collectOrphans(store, { graceMs: 0, now: later })).deletedFiles, 1);
    assert.equal((await readBack(store, 'w')).rows.length, 6);
  });

  test('deletes old unreferenced files and drop leftovers; keeps referenced files and young orphans', async () => {
    const store = newStore();
    const v1 = await put(store, 'g', part(1, [3]));
    await put(store, 'g', part(2, [3]), 'overwrite');
    const dir = store.tableDir('g');
    // An aborted DoPut's leftover (old), one still being staged (young), an orphaned manifest.
    fs.writeFileSync(path.join(dir, 'data', 'aborted.parquet'), 'x'.repeat(100));
    age(path.join(dir, 'data', 'aborted.parquet'), 2 * HOUR);
    fs.writeFileSync(path.join(dir, 'data', 'staging.parquet'), 'y');
    fs.writeFileSync(path.join(dir, 'manifests', 'lost.json'), '{}');
    age(path.join(dir, 'manifests', 'lost.json'), 2 * HOUR);
    const dropped = path.join(store.root, 'tables', '.dropped-leftover');
    fs.mkdirSync(path.join(dropped, 'data'), { recursive: true });
    fs.writeFileSync(path.join(dropped, 'data', 'f.parquet'), 'z');
    age(dropped, 2 * HOUR);
    // Files of the committed versions, however old, are referenced.
    for (const rel of [...v1.files.map((f) => f.path), ...fs.readdirSync(path.join(dir, 'manifests')).map((m) => `manifests/${m}`)]) age(path.join(dir, rel), 3 * HOUR);

    const runner = new MaintenanceRunner(store, settings(), quietLog());
    const report = await runner.run({ tasks: ['gc'] });
    const step = report.steps.at(-1)!;
    assert.ok(step.task === 'gc' && 'result' in step);
    assert.deepEqual(step.result.paths.sort(), [path.join('tables', '.dropped-leftover'), path.join('tables', path.basename(dir), 'data', 'aborted.parquet'), path.join('tables', path.basename(dir), 'manifests', 'lost.json')].sort());
    assert.equal(step.result.youngKept, 1);
    assert.ok(fs.existsSync(path.join(dir, 'data', 'staging.parquet')));
    for (const f of v1.files) assert.ok(exists(store, 'g', f.path), 'version 1 is retained: its files stay');
    assert.equal((await readBack(store, 'g', 1)).rows.length, 3);
    assert.equal((await readBack(store, 'g')).rows.length, 3);
  });

  test('files released by expiry wait out the grace period from the expiry, then go', async () => {
    const store = newStore();
    const v1 = await put(store, 'e', part(1, [3]));
    await put(store, 'e', part(2, [3]), 'overwrite');
    for (const f of v1.files) age(path.join(store.tableDir('e'), f.path), 5 * HOUR);
    await sleep(30);
    const runner = new MaintenanceRunner(store, settings({ retentionMs: 10 }), quietLog());
    const first = await runner.run({});
    assert.equal(first.expiredVersions, 1);
    assert.equal(first.deletedFiles, 0, 'expiry reset their mtime: a reader that began before it can finish');
    for (const f of v1.files) assert.ok(exists(store, 'e', f.path));
    const later = await new MaintenanceRunner(store, settings({ retentionMs: 10, gcGraceMs: 0 }), quietLog()).run({ tasks: ['gc'] });
    assert.equal(later.deletedFiles, v1.files.length);
    for (const f of v1.files) assert.ok(!exists(store, 'e', f.path));
    assert.equal((await readBack(store, 'e')).rows.length, 3);
  });

  test('a never-committed table\'s old files go; a directory with a log the coordinator does not list stays', async () => {
    const store = newStore();
    const never = path.join(store.root, 'tables', 't_never', 'data');
    fs.mkdirSync(never, { recursive: true });
    fs.writeFileSync(path.join(never, 'first-put-aborted.parquet'), 'x');
    age(path.join(never, 'first-put-aborted.parquet'), 2 * HOUR);
    const v1 = await put(store, 'unlisted', part(1, [3]));
    const logDir = path.join(store.root, 'log', path.basename(store.tableDir('unlisted')));
    fs.rmSync(path.join(logDir, 'table.json'));
    for (const f of v1.files) age(path.join(store.tableDir('unlisted'), f.path), 2 * HOUR);
    const report = await new MaintenanceRunner(store, settings(), quietLog()).run({ tasks: ['gc'] });
    assert.ok(!fs.existsSync(path.join(never, 'first-put-aborted.parquet')));
    for (const f of v1.files) assert.ok(exists(store, 'unlisted', f.path), 'files of a table with a log are never orphans');
    assert.equal(report.errors, 1);
  });

  test('a table whose retained manifest is unreadable is left alone and reported', async () => {
    const store = newStore();
    const v1 = await put(store, 'damaged', part(1, [3]));
    fs.writeFileSync(path.join(store.tableDir('damaged'), 'data', 'old-orphan.parquet'), 'x');
    age(path.join(store.tableDir('damaged'), 'data', 'old-orphan.parquet'), 2 * HOUR);
    fs.rmSync(path.join(store.tableDir('damaged'), (await store.coordinator.head('damaged'))!.manifest));
    const report = await new MaintenanceRunner(store, settings(), quietLog()).run({ tasks: ['gc'] });
    assert.equal(report.deletedFiles, 0);
    assert.equal(report.errors, 1);
    assert.ok(exists(store, 'damaged', 'data/old-orphan.parquet'));
    for (const f of v1.files) assert.ok(exists(store, 'damaged', f.path));
  });
});
