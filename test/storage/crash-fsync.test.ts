// A commit whose log entry is linked into place but whose directory fsync then fails: readers in
// this process could already see the entry, yet it may not survive a crash. The commit path must
// resolve that before it answers, so that a client which sends the stream again appends it once.
// A real store on a real data root; only the fsync of the log directory fails, through the
// coordinator's seam for publication's system calls (durable-files.ts PublishCalls).
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { after, test } from 'node:test';
import { LocalCoordinator } from '../../src/coord/local-coordinator.ts';
import { SYSTEM_CALLS, publishCopy, type PublishCalls } from '../../src/durable-files.ts';
import { QuiverError } from '../../src/errors.ts';
import { toStatus } from '../../src/flight/status.ts';
import { TableStore } from '../../src/storage/table-store.ts';
import { tableDirName } from '../../src/table-names.ts';
import { part, put, readBack, tempStore } from './maintenance-fixtures.ts';

const base = tempStore();
const root = base.root;
const logRoot = base.layout.logRoot;
/** How many fsyncs of `failIn` fail from now on. */
let failures = 0;
let failIn = '';
const calls: PublishCalls = {
  link: SYSTEM_CALLS.link,
  async syncDirectory(dir) {
    if (failures > 0 && path.resolve(dir) === path.resolve(failIn)) {
      failures--;
      throw Object.assign(new Error(`EIO: i/o error, fsync '${dir}'`), { code: 'EIO', errno: -5, syscall: 'fsync' });
    }
    await SYSTEM_CALLS.syncDirectory(dir);
  },
};
const open = (c: PublishCalls = SYSTEM_CALLS) => new TableStore(root, new LocalCoordinator(logRoot, { calls: c }), base.staging, { parquetWorkers: 1, cacheBytes: 0, calls: c });
const store = open(calls);
after(async () => {
  await store.close();
  await base.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const filesOf = (table: string) => ['data', 'manifests'].flatMap((sub) => fs.readdirSync(path.join(store.tableDir(table), sub)).map((f) => `${sub}/${f}`)).sort();
const versionsOnDisk = async (table: string) => {
  const fresh = open();
  try {
    return (await fresh.history(table)).map((m) => [m.version, m.rows]);
  } finally {
    await fresh.close();
  }
};

test('the fsync after the log entry fails: the entry is withdrawn, nothing is committed, and sending again appends once', async () => {
  await put(store, 'synced', part(1, [3]));
  const before = filesOf('synced');
  failIn = path.join(logRoot, tableDirName('synced'));
  failures = 1;
  const error = await put(store, 'synced', part(2, [2])).then(() => assert.fail('a commit whose entry was not durable was acknowledged'), (e: unknown) => e);
  assert.equal(failures, 0, 'the fault was met');
  assert.ok(error instanceof QuiverError && error.code === 'UNAVAILABLE' && error.retriable, String(error));
  assert.match(error.message, /version 2 of table "synced" was not committed: its log entry could not be made durable \(EIO.*\), and was withdrawn/);
  assert.equal(toStatus(error).code, 14);
  assert.equal((await store.snapshot('synced')).version, 1, 'this process does not see the withdrawn entry');
  assert.deepEqual(await versionsOnDisk('synced'), [[1, 3]], 'nor does a restart');
  assert.deepEqual(filesOf('synced'), before, 'the commit\'s data file and manifest are removed');

  // The client's retry.
  await put(store, 'synced', part(2, [2]));
  assert.deepEqual(await versionsOnDisk('synced'), [[1, 3], [2, 5]]);
  assert.equal((await readBack(store, 'synced')).rows.length, 5);
});

test('the entry can be neither made durable nor withdrawn durably: the outcome is reported unknown, never as a failure to retry', async () => {
  await put(store, 'unsure', part(1, [3]));
  failIn = path.join(logRoot, tableDirName('unsure'));
  failures = 2;
  const error = await put(store, 'unsure', part(2, [2])).then(() => assert.fail('acknowledged'), (e: unknown) => e);
  assert.ok(error instanceof QuiverError && error.code === 'DEADLINE_EXCEEDED' && !error.retriable, String(error));
  assert.match(error.message, /may or may not have been applied: its log entry .* could not be made durable, nor withdrawn .*; read the table's history before sending it again/);
  // What this process now answers is what is on disk.
  const seen = (await store.history('unsure')).map((m) => [m.version, m.rows]);
  assert.deepEqual(seen, await versionsOnDisk('unsure'));
  await put(store, 'unsure', part(3, [1]));
  assert.deepEqual((await versionsOnDisk('unsure')).at(-1), [seen.length + 1, seen.at(-1)![1]! + 1]);
});

test('a failed fsync before the log entry (data or manifest) fails the commit UNAVAILABLE, retriable, with nothing committed', async () => {
  await put(store, 'early', part(1, [3]));
  failIn = path.join(store.tableDir('early'), 'manifests');
  failures = 2;
  const error = await put(store, 'early', part(2, [2])).then(() => assert.fail('acknowledged'), (e: unknown) => e);
  assert.ok(error instanceof QuiverError && error.code === 'UNAVAILABLE' && error.retriable, String(error));
  assert.match(error.message, /nothing was committed/);
  assert.deepEqual(await versionsOnDisk('early'), [[1, 3]]);
});

test('a copy (what an import publishes) appears complete under its name, never replacing a file', async () => {
  const dir = fs.mkdtempSync(path.join(root, 'copy-'));
  const source = path.join(dir, 'source');
  fs.writeFileSync(source, Buffer.alloc(3 << 20, 7));
  const fh = await fs.promises.open(source, 'r');
  try {
    assert.equal(await publishCopy(fh, path.join(dir, 'copy')), 3 << 20);
    assert.deepEqual(fs.readFileSync(path.join(dir, 'copy')), fs.readFileSync(source));
    await assert.rejects(publishCopy(fh, path.join(dir, 'copy')), (e: unknown) => (e as NodeJS.ErrnoException).code === 'EEXIST');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['copy', 'source'], 'no temporary file is left');
  } finally {
    await fh.close();
  }
});

test('a table\'s first commit fsyncs every directory it created, up to the data root, before its log entry is published', async () => {
  const synced: string[] = [];
  const recording: PublishCalls = {
    link: SYSTEM_CALLS.link,
    async syncDirectory(dir) {
      synced.push(path.relative(root, path.resolve(dir)) || '.');
      await SYSTEM_CALLS.syncDirectory(dir);
    },
  };
  const fresh = open(recording);
  try {
    await put(fresh, 'new-table', part(1, [2]));
  } finally {
    await fresh.close();
  }
  const table = path.join('tables', tableDirName('new-table'));
  const log = path.join('log', tableDirName('new-table'));
  for (const dir of ['.', 'tables', table, path.join(table, 'data'), path.join(table, 'manifests'), 'log', log]) assert.ok(synced.includes(dir), `${dir} was not fsynced: ${synced.join(', ')}`);
  // The log entry is the last name published: everything it depends on was made durable first.
  assert.equal(synced.at(-1), log);
  assert.ok(synced.lastIndexOf(path.join(table, 'manifests')) < synced.indexOf(log), synced.join(', '));
});
