// Damaged coordination records are DATA_LOSS naming what is damaged and where, never a JSON
// parse error that would surface as INTERNAL: each decoder, and the local coordinator reading
// damaged files from a real data root.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { LocalCoordinator } from '../../src/coord/local-coordinator.ts';
import { decodeTableName, entryFileName } from '../../src/coord/local/log-files.ts';
import { decodeLogEntry } from '../../src/coord/stored-records.ts';
import { sequenceOf } from '../../src/coord/zookeeper/sequential-nodes.ts';
import { decodePointer } from '../../src/coord/zookeeper/table-log-nodes.ts';
import { decodeMember } from '../../src/coord/zookeeper/zookeeper-cluster.ts';
import { tableDirName } from '../../src/table-names.ts';
import { dataLossAt } from './data-loss.ts';

const bytes = (s: string) => Buffer.from(s);
const NOT_UTF8 = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);

describe('log entry decoder', () => {
  const where = '/data/log/t/00000000000000000003.json';
  const damagedEntries: Array<[string, Buffer]> = [
    ['truncated JSON', bytes('{"version":3,"manif')],
    ['not UTF-8', NOT_UTF8],
    ['empty', Buffer.alloc(0)],
    ['an array', bytes('[3, "m"]')],
    ['null', bytes('null')],
    ['another version', bytes('{"version":4,"manifest":"m"}')],
    ['a version as text', bytes('{"version":"3","manifest":"m"}')],
    ['no manifest', bytes('{"version":3}')],
    ['a manifest that is not a path', bytes('{"version":3,"manifest":7}')],
    ['a catalog that is not an object', bytes('{"version":3,"manifest":"m","catalog":"x"}')],
  ];
  for (const [what, data] of damagedEntries) {
    test(`${what}: DATA_LOSS`, () => {
      assert.throws(() => decodeLogEntry(data, where, 3), dataLossAt(where));
    });
  }

  test('a sound entry decodes to what was written', () => {
    const catalog = { tableId: 'id', createdAt: null, committedAt: '2026-01-01T00:00:00Z', schema: 'AA==', formats: ['parquet'], files: 1, rows: 2, arrowBytes: 3 };
    assert.deepEqual(decodeLogEntry(bytes(JSON.stringify({ version: 3, manifest: 'm' })), where, 3), { version: 3, manifest: 'm' });
    assert.deepEqual(decodeLogEntry(bytes(JSON.stringify({ version: 3, manifest: 'm', catalog })), where, 3), { version: 3, manifest: 'm', catalog });
  });
});

describe('ZooKeeper pointer node decoder', () => {
  const where = '/quiver/c/tables/t';
  const damagedPointers: Array<[string, Buffer]> = [
    ['truncated JSON', bytes('{"name":"t","generation":0,"vers')],
    ['not UTF-8', NOT_UTF8],
    ['a number', bytes('42')],
    ['no name', bytes('{"generation":0,"version":1,"manifest":"m"}')],
    ['a negative generation', bytes('{"name":"t","generation":-1,"version":1,"manifest":"m"}')],
    ['a fractional version', bytes('{"name":"t","generation":0,"version":1.5,"manifest":"m"}')],
    ['a head without a manifest', bytes('{"name":"t","generation":0,"version":2,"manifest":null}')],
    ['no head but a manifest', bytes('{"name":"t","generation":1,"version":0,"manifest":"m"}')],
    ['a catalog that is an array', bytes('{"name":"t","generation":0,"version":1,"manifest":"m","catalog":[]}')],
  ];
  for (const [what, data] of damagedPointers) {
    test(`${what}: DATA_LOSS`, () => {
      assert.throws(() => decodePointer(data, where), dataLossAt(where));
    });
  }

  test('sound pointers decode, a dropped table included', () => {
    assert.deepEqual(decodePointer(bytes('{"name":"t","generation":2,"version":0,"manifest":null}'), where), { name: 't', generation: 2, version: 0, manifest: null });
    assert.deepEqual(decodePointer(bytes('{"name":"t","generation":0,"version":5,"manifest":"v5.json"}'), where), { name: 't', generation: 0, version: 5, manifest: 'v5.json' });
  });
});

describe('ZooKeeper election node decoder', () => {
  const path = '/quiver/c/election/_c_x-n_0000000001';
  for (const [what, data] of [['not JSON', bytes('a:1')], ['no location', bytes('{"id":"a"}')], ['not UTF-8', NOT_UTF8]] as const) {
    test(`${what}: DATA_LOSS`, () => {
      assert.throws(() => decodeMember({ path, data }), dataLossAt(path));
    });
  }

  test('a child without a sequence number is DATA_LOSS, not a sort error', () => {
    assert.throws(() => sequenceOf('stray'), dataLossAt('stray'));
  });
});

describe('local coordinator files', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-damaged-log-'));
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  test('a damaged table name record is DATA_LOSS', () => {
    assert.throws(() => decodeTableName(bytes('{"name":'), '/data/log/t/table.json'), dataLossAt('/data/log/t/table.json'));
    assert.throws(() => decodeTableName(bytes('{"name":""}'), '/data/log/t/table.json'), dataLossAt('/data/log/t/table.json'));
  });

  test('a torn log entry before the newest is DATA_LOSS naming it from head, entry and entries', async () => {
    const dir = path.join(root, 'entries');
    await new LocalCoordinator(dir).publish('t', 0, 'v1.json');
    await new LocalCoordinator(dir).publish('t', 1, 'v2.json');
    await new LocalCoordinator(dir).publish('t', 2, 'v3.json');
    const file = path.join(dir, tableDirName('t'), entryFileName(2));
    // Torn, yet followed by a newer entry: no crash leaves that (no commit follows a failed one),
    // so it is damage, not an unfinished write (a torn newest entry: test/storage/torn-files.test.ts).
    fs.writeFileSync(file, '{"version":2,"mani');
    const fresh = new LocalCoordinator(dir);
    await assert.rejects(fresh.head('t'), dataLossAt(file));
    await assert.rejects(fresh.entry('t', 2), dataLossAt(file));
    await assert.rejects(fresh.entries('t'), dataLossAt(file));
    assert.deepEqual(await fresh.entry('t', 1), { version: 1, manifest: 'v1.json' });
  });

  test('a log entry file holding another version is DATA_LOSS', async () => {
    const dir = path.join(root, 'swapped');
    await new LocalCoordinator(dir).publish('t', 0, 'v1.json');
    const file = path.join(dir, tableDirName('t'), entryFileName(1));
    fs.writeFileSync(file, JSON.stringify({ version: 7, manifest: 'v7.json' }));
    await assert.rejects(new LocalCoordinator(dir).entry('t', 1), dataLossAt(file));
  });

  test('a damaged table.json leaves that table out of the listing, logged, and the others in it', async () => {
    const dir = path.join(root, 'names');
    await new LocalCoordinator(dir).publish('t', 0, 'v1.json');
    await new LocalCoordinator(dir).publish('u', 0, 'v1.json');
    const file = path.join(dir, tableDirName('t'), 'table.json');
    fs.writeFileSync(file, Buffer.from([0xff, 0x00]));
    const logged: string[] = [];
    const fresh = new LocalCoordinator(dir, { log: (message, fields) => logged.push(`${message} ${String(fields?.error)}`) });
    assert.deepEqual(await fresh.tables(), ['u']);
    assert.deepEqual((await fresh.listHeads()).map((h) => h.table), ['u']);
    assert.equal(logged.length, 1, 'logged once');
    assert.match(logged[0]!, /left table directory .* out of the listing/);
    assert.ok(logged[0]!.includes(file), logged[0]);
  });
});
