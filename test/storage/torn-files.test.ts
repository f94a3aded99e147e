// Torn files left by an older crash or a full disk (data roots written before publication went
// through a temporary name and link(2), or a disk that lost writes) are never fatal. Each case is
// planted by hand in a real data root, then read by a fresh store, as a restarted server would:
// the table serves its last complete version, the listing keeps every other table, the next
// commit takes the torn file's place, and what was skipped is logged.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { LocalCoordinator } from '../../src/coord/local-coordinator.ts';
import { entryFileName } from '../../src/coord/local/log-files.ts';
import { QuiverError } from '../../src/errors.ts';
import { collectOrphans } from '../../src/storage/maintenance/orphan-gc.ts';
import { TableStore } from '../../src/storage/table-store.ts';
import { tableDirName } from '../../src/table-names.ts';
import { FlightClient, FlightError } from '../../src/client/index.ts';
import { startQuiver } from '../harness/quiver-process.ts';
import { closeStore, part, put, quietLog, readBack, tempStore } from './maintenance-fixtures.ts';

const writer = tempStore();
const opened: TableStore[] = [];
after(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await closeStore(writer);
});

/** The data root opened again, as by a server restarted on it, logging to `log.lines`. */
function restart(): { store: TableStore; log: ReturnType<typeof quietLog> } {
  const log = quietLog();
  const store = new TableStore(writer.root, new LocalCoordinator(writer.layout.logRoot, { log: (m) => log.warn(m) }), writer.staging, { parquetWorkers: 1, cacheBytes: 0, log });
  opened.push(store);
  return { store, log };
}

const logDir = (table: string) => path.join(writer.layout.logRoot, tableDirName(table));
const entryFile = (table: string, version: number) => path.join(logDir(table), entryFileName(version));
const listed = async (store: TableStore) => (await store.describeTables()).map((d) => `${d.table}@${d.version}`);

/** Two versions of `table` committed, then a third whose entry file a crash left `torn`. */
async function tornNewest(table: string, torn: string): Promise<void> {
  await put(writer, table, part(1, [3]));
  await put(writer, table, part(2, [2]));
  fs.writeFileSync(entryFile(table, 3), torn);
}

describe('a torn newest log entry', () => {
  for (const [what, torn] of [['empty', ''], ['truncated', '{"version":3,"manifest":"manifests/0000']] as const) {
    test(`${what}: the table serves the version before it, is listed, and the next commit takes its place`, async () => {
      const table = `entry-${what}`;
      await tornNewest(table, torn);
      const { store, log } = restart();
      assert.equal((await store.snapshot(table)).version, 2);
      assert.equal((await readBack(store, table)).rows.length, 5);
      assert.ok((await listed(store)).includes(`${table}@2`));
      await assert.rejects(store.snapshot(table, 3), (e: unknown) => e instanceof QuiverError && e.code === 'NOT_FOUND');
      assert.ok(log.lines.some((l) => l.includes(`skipped a torn log entry of table "${table}"`)), log.lines.join('\n'));

      const next = await put(store, table, part(3, [4]));
      assert.equal(next.version, 3);
      assert.equal((await readBack(restart().store, table)).rows.length, 9);
      assert.ok(fs.readdirSync(logDir(table)).some((n) => n.startsWith('.torn-') && n.endsWith(entryFileName(3))), 'the torn file is kept aside');
      assert.ok(log.lines.some((l) => l.includes('set aside a torn log entry')), log.lines.join('\n'));
    });
  }
});

describe('a torn table.json', () => {
  for (const [what, torn] of [['empty', ''], ['truncated', '{"name":"na']] as const) {
    test(`${what}: listings leave the table out (logged) and keep the others; it reads by name; its next commit lists it again`, async () => {
      const table = `name-${what}`;
      await put(writer, table, part(1, [3]));
      await put(writer, 'healthy', part(1, [1]), 'overwrite');
      fs.writeFileSync(path.join(logDir(table), 'table.json'), torn);
      const { store, log } = restart();
      const names = await listed(store);
      assert.ok(!names.some((n) => n.startsWith(`${table}@`)), names.join());
      assert.ok(names.includes('healthy@1') || names.some((n) => n.startsWith('healthy@')), names.join());
      assert.ok(log.lines.some((l) => l.includes(`left table directory ${tableDirName(table)} out of the listing`)), log.lines.join('\n'));
      assert.equal((await readBack(store, table)).rows.length, 3);

      await put(store, table, part(2, [1]));
      assert.ok((await listed(restart().store)).includes(`${table}@2`));
    });
  }

  test('torn by a crash in a table\'s first commit (no entry yet): the next commit creates the table and lists it', async () => {
    fs.mkdirSync(logDir('first'), { recursive: true });
    fs.writeFileSync(path.join(logDir('first'), 'table.json'), '{"na');
    const { store } = restart();
    assert.ok(!(await listed(store)).some((n) => n.startsWith('first@')));
    await put(store, 'first', part(1, [2]));
    assert.ok((await listed(restart().store)).includes('first@1'));
  });
});

describe('a truncated manifest', () => {
  test('of the current version: reading it is DATA_LOSS naming the file; older versions, the listing and maintenance go on', async () => {
    const table = 'manifest-torn';
    await put(writer, table, part(1, [3]));
    await put(writer, table, part(2, [2]));
    const [, second] = await writer.coordinator.entries(table);
    const file = writer.layout.file(table, second!.manifest);
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 50));
    const { store } = restart();
    const error = await store.snapshot(table).then(() => assert.fail('a truncated manifest was read'), (e: unknown) => e);
    assert.ok(error instanceof QuiverError && error.code === 'DATA_LOSS' && error.message.includes(file), String(error));
    assert.equal((await readBack(store, table, 1)).rows.length, 3);
    // The catalog rides in the log entry, so the listing still describes the table.
    assert.ok((await listed(store)).includes(`${table}@2`));
    const gc = await collectOrphans(store, { graceMs: 0, now: Date.now() + 1000 });
    assert.ok(gc.errors.some((e) => e.table === table && /cannot be read/.test(e.error)), JSON.stringify(gc.errors));
    assert.equal(fs.existsSync(file), true, 'nothing of a damaged table is collected');
  });

  test('of a table published without a catalog entry: the listing leaves it out (logged) and keeps the others', async () => {
    const table = 'manifest-torn-nocatalog';
    const m = await put(writer, table, part(1, [3]));
    const [entry] = await writer.coordinator.entries(table);
    // As an entry of a data root from before the catalog rode in the log.
    fs.writeFileSync(entryFile(table, 1), JSON.stringify({ version: 1, manifest: entry!.manifest }));
    fs.writeFileSync(writer.layout.file(table, entry!.manifest), '');
    const { store, log } = restart();
    const names = await listed(store);
    assert.ok(!names.some((n) => n.startsWith(`${table}@`)) && names.length > 0, names.join());
    assert.ok(log.lines.some((l) => l.includes(`left table "${table}" out of a listing`)), log.lines.join('\n'));
    assert.equal(m.version, 1);
  });
});

describe('temporary files of publications a crash interrupted', () => {
  test('are never read, and orphan collection removes them after the grace period, in table and log directories', async () => {
    const table = 'temporaries';
    await put(writer, table, part(1, [2]));
    const planted = [
      path.join(logDir(table), `.tmp-0b5e-${entryFileName(2)}`),
      path.join(writer.tableDir(table), 'manifests', '.tmp-0b5e-00000000000000000002-x.json'),
      path.join(writer.tableDir(table), 'data', '.tmp-0b5e-y.parquet'),
    ];
    for (const f of planted) fs.writeFileSync(f, '{"version":2');
    const { store } = restart();
    assert.equal((await store.snapshot(table)).version, 1);
    const young = await collectOrphans(store, { graceMs: 60_000, now: Date.now() });
    assert.ok(planted.every((f) => fs.existsSync(f)), 'young temporary files stay (their write may be under way)');
    assert.ok(young.youngKept >= planted.length);
    const gc = await collectOrphans(store, { graceMs: 0, now: Date.now() + 1000 });
    assert.deepEqual(planted.filter((f) => fs.existsSync(f)), [], JSON.stringify(gc));
    assert.equal((await readBack(restart().store, table)).rows.length, 2);
  });
});

describe('a server started on a data root with torn files', () => {
  test('ListFlights lists every other table, the torn table serves its last complete version, nothing answers INTERNAL, and the log says what was skipped', async () => {
    await put(writer, 'served-torn-entry', part(1, [3]));
    fs.writeFileSync(entryFile('served-torn-entry', 2), '');
    await put(writer, 'served-torn-name', part(1, [2]));
    fs.writeFileSync(path.join(logDir('served-torn-name'), 'table.json'), '{"name":"ser');
    const server = await startQuiver([], writer.root);
    const client = new FlightClient(`grpc+tcp://${server.address}`);
    try {
      const names: string[] = [];
      for await (const info of client.listFlights()) names.push(info.descriptor?.type === 'PATH' ? info.descriptor.path.join('/') : '?');
      assert.ok(names.includes('served-torn-entry') && names.includes('healthy') && !names.includes('served-torn-name'), names.join());
      assert.equal((await client.readTable('served-torn-entry')).numRows, 3);
      assert.equal((await client.readTable('served-torn-name')).numRows, 2);
      const damaged = await client.readTable('manifest-torn').then(() => null, (e: unknown) => e);
      assert.ok(damaged === null || (damaged instanceof FlightError && damaged.code !== 13), String(damaged));
    } finally {
      client.close();
      await server.stop();
    }
    const log = server.stderr();
    assert.match(log, /"level":"warn","msg":"skipped a torn log entry of table \\"served-torn-entry\\"/);
    assert.match(log, /"level":"warn","msg":"left table directory t_served-torn-name out of the listing/);
    assert.doesNotMatch(log, /internal error/i);
  });
});
