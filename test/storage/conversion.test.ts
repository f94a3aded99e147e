// Conversion of landed Arrow IPC files to Parquet (src/storage/maintenance/conversion.ts): DoPut
// lands IPC, a round of the 'convert' task commits a version of Parquet files whose DoGet sends
// what the landed version sent (the same batches, values and app_metadata bytes);
// schemas Parquet cannot hold stay IPC; appends meanwhile are rebased onto; a pause stops it;
// the landed-bytes limit makes DoPut wait and then fail RESOURCE_EXHAUSTED; orphan collection
// removes the IPC files once no retained version names them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { LocalCoordinator } from '../../src/coord/local-coordinator.ts';
import { tableFromIPC } from 'apache-arrow';
import { encodeStream } from '../../src/arrow/ipc-framing.ts';
import { inspectMessage } from '../../src/arrow/ipc-message.ts';
import { QuiverError } from '../../src/errors.ts';
import { schemaBytes } from '../../src/storage/manifest.ts';
import { landedOf } from '../../src/storage/landing-limits.ts';
import { convertTable } from '../../src/storage/maintenance/conversion.ts';
import { expireTable } from '../../src/storage/maintenance/expiry.ts';
import { collectOrphans } from '../../src/storage/maintenance/orphan-gc.ts';
import { MaintenanceRunner, type MaintenanceSettings } from '../../src/storage/maintenance/runner.ts';
import { TableStore } from '../../src/storage/table-store.ts';
import { closeStore, part, put, quietLog, readBack, tempStore } from './maintenance-fixtures.ts';

const HOUR = 3_600_000;
const always = { paused: () => false, rateBytes: () => 0 };
const settings = (over: Partial<MaintenanceSettings> = {}): MaintenanceSettings => ({
  retentionMs: HOUR,
  gcGraceMs: HOUR,
  compaction: { smallFileBytes: 1024 * 1024, minSmallFiles: 4 },
  ...over,
});
const stores: TableStore[] = [];
const track = (s: TableStore) => {
  stores.push(s);
  return s;
};
after(async () => {
  for (const s of stores) await closeStore(s);
});

/**
 * What a DoGet sends, message by message: the kind and row count, the app_metadata bytes, and
 * each column's values as Arrow decodes them with the version's schema. (The bodies' byte layout
 * is not compared: a Parquet file is decoded by parquet-wasm, whose IPC writer pads buffers to 64
 * bytes where the client's writer used 8, as it always did for Parquet written by DoPut.)
 */
async function sent(store: TableStore, table: string, version?: number): Promise<string[]> {
  const m = await store.snapshot(table, version);
  const out: string[] = [];
  for await (const f of store.readFiles(m, m.files)) {
    const info = inspectMessage(f.header);
    const values = JSON.stringify(tableFromIPC(encodeStream([{ header: schemaBytes(m), body: new Uint8Array(0) }, { header: f.header, body: f.body }])).toArray(), (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    out.push(`${info.kind}|${info.kind === 'recordBatch' ? info.rows : ''}|${f.appMetadata ? Buffer.from(f.appMetadata).toString('hex') : '-'}|${values}`);
  }
  return out;
}

describe('conversion to Parquet', () => {
  test('DoPut lands Arrow IPC; the convert version sends what the landed one sent, batch for batch', async () => {
    const store = track(tempStore());
    // Zero-length batches in the middle and at the end, app_metadata on some batches only.
    await put(store, 't', part(1, [5, 0, 7, 3, 0]), 'append', (b) => (b % 2 === 0 ? `meta ${b}` : null));
    await put(store, 't', part(2, [4, 4]), 'append', (b) => `second ${b}`);
    const landed = await store.snapshot('t');
    assert.ok(landed.files.every((f) => f.format === 'arrow-stream'), 'DoPut lands Arrow IPC');
    assert.equal(landedOf(landed).files, 2);
    const before = await sent(store, 't');
    const decoded = await readBack(store, 't');

    const result = await convertTable(store, 't', always);
    assert.ok(result.converted, JSON.stringify(result));
    assert.equal(result.remainingFiles, 0);
    const converted = await store.snapshot('t');
    assert.equal(converted.operation, 'convert');
    assert.equal(converted.version, landed.version + 1);
    assert.ok(converted.files.every((f) => f.format === 'parquet'));
    assert.deepEqual(converted.files.map((f) => f.batches), landed.files.map((f) => f.batches));
    assert.deepEqual(converted.added, { files: 2, rows: 0 });
    assert.equal(landedOf(converted).files, 0);
    assert.deepEqual(await sent(store, 't'), before, 'every batch, its rows, values and app_metadata as before');
    const { frames: _, ...after } = await readBack(store, 't');
    const { frames: __, ...expected } = decoded;
    assert.deepEqual(after, expected);
    // The version before stays readable as it was.
    assert.deepEqual(await sent(store, 't', landed.version), before);
    // Nothing more to do.
    const again = await convertTable(store, 't', always);
    assert.equal(again.converted, false);
  });

  test('schemas Parquet cannot hold exactly (dictionaries) stay Arrow IPC', async () => {
    const store = track(tempStore());
    await put(store, 'dict', part(1, [3, 2], true));
    const result = await convertTable(store, 'dict', always);
    assert.equal(result.converted, false);
    assert.equal(result.remainingFiles, 0);
    assert.equal((await store.snapshot('dict')).files[0]!.format, 'arrow-stream');
  });

  test('a pause converts nothing; appends committed during a round are rebased onto', async () => {
    const store = track(tempStore());
    await put(store, 'r', part(1, [10]));
    const paused = await convertTable(store, 'r', { paused: () => true, rateBytes: () => 0 });
    assert.equal(paused.converted, false);
    assert.equal(paused.remainingFiles, 1);
    // An append lands while the round converts (the rate check runs before each file).
    let appended = false;
    const result = await convertTable(store, 'r', {
      paused: () => {
        if (!appended) {
          appended = true;
          void put(store, 'r', part(2, [6]));
        }
        return false;
      },
      rateBytes: () => 0,
    });
    // Give the append time to commit if the round did not wait for it.
    for (let i = 0; i < 50 && (await store.snapshot('r')).rows < 16; i++) await new Promise((r) => setTimeout(r, 20));
    const head = await store.snapshot('r');
    assert.equal(head.rows, 16);
    assert.ok(result.converted, JSON.stringify(result));
    if (result.rebased) assert.equal(head.operation, 'convert');
    assert.deepEqual((await readBack(store, 'r')).rows.map((r) => (r as { id: bigint }).id), [...Array(10).keys()].map((i) => BigInt(1000 + i)).concat([...Array(6).keys()].map((i) => BigInt(2000 + i))));
    // Whatever order they committed in, one more round leaves the table all Parquet.
    await convertTable(store, 'r', always);
    assert.ok((await store.snapshot('r')).files.every((f) => f.format === 'parquet'));
  });

  test('the runner reports convert steps; history shows the convert version', async () => {
    const store = track(tempStore());
    await put(store, 'h', part(1, [4]));
    const runner = new MaintenanceRunner(store, settings(), quietLog());
    const report = await runner.run({ tasks: ['convert'] });
    assert.equal(report.convertedTables, 1);
    assert.deepEqual((await store.history('h')).map((m) => m.operation), ['create', 'convert']);
  });

  test('orphan collection removes the landed files once no retained version names them', async () => {
    const store = track(tempStore());
    await put(store, 'gc', part(1, [4]));
    const ipc = (await store.snapshot('gc')).files[0]!.path;
    await convertTable(store, 'gc', always);
    const file = path.join(store.tableDir('gc'), ipc);
    // Still named by version 1 (retained): kept.
    await collectOrphans(store, { graceMs: 0, now: Date.now() + HOUR });
    assert.ok(fs.existsSync(file));
    await new Promise((r) => setTimeout(r, 20));
    const expired = await expireTable(store, 'gc', { retentionMs: 1, now: Date.now() });
    assert.deepEqual(expired.expired, [1]);
    const gc = await collectOrphans(store, { graceMs: 0, now: Date.now() + HOUR });
    assert.ok(gc.deletedFiles >= 1);
    assert.ok(!fs.existsSync(file), 'the landed IPC file is collected');
    assert.ok((await readBack(store, 'gc')).rows.length === 4);
  });

  test('past the landed-bytes limit a DoPut waits for conversion, then fails RESOURCE_EXHAUSTED', async () => {
    const root = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'quiver-landing-'));
    const limits = { maxTableLandedBytes: 1, maxLandedBytes: 0, landedWaitMs: 300 };
    const store = track(new TableStore(root, new LocalCoordinator(path.join(root, 'log')), { compression: 'zstd', rowGroupRows: 1_000_000, maxBufferedBytes: 64 * 1024 * 1024 }, { parquetWorkers: 1, cacheBytes: 0, landing: limits }));
    await put(store, 'full', part(1, [4]));
    const started = Date.now();
    await assert.rejects(put(store, 'full', part(2, [4])), (e: unknown) => e instanceof QuiverError && e.code === 'RESOURCE_EXHAUSTED' && e.retriable && /max-table-landed-bytes/.test(e.message));
    assert.ok(Date.now() - started >= 300);
    // With conversion answering the call for hurry, the same DoPut goes through.
    let round: Promise<unknown> | null = null;
    store.landed.hurry = (table) => {
      round ??= convertTable(store, table, always);
    };
    limits.landedWaitMs = 60_000;
    await put(store, 'full', part(2, [4]));
    await round;
    assert.equal((await store.snapshot('full')).rows, 8);
  });
});
