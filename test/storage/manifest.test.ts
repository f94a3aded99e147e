// A manifest is written once and fsynced before it is published, so one that does not decode is
// damage on disk: DATA_LOSS naming the file, for the decoder alone and for a table read through
// the store (not a plain Error that would reach clients as INTERNAL).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { LocalCoordinator } from '../../src/coord/local-coordinator.ts';
import { QuiverError } from '../../src/errors.ts';
import { toStatus } from '../../src/flight/status.ts';
import { manifestFromJson } from '../../src/storage/manifest.ts';
import { TableStore } from '../../src/storage/table-store.ts';
import { closeStore, part, put, tempStore } from './maintenance-fixtures.ts';

const FILE = '/data/tables/t_x/manifests/00000000000000000001-abc.json';
const isDataLoss = (why: RegExp) => (e: unknown) => e instanceof QuiverError && e.code === 'DATA_LOSS' && e.message.includes(FILE) && why.test(e.message);

const good = {
  formatVersion: 1, table: 'x', tableId: 'id', version: 1, parentVersion: null, operation: 'create', committedAt: '2026-12-01T00:00:00.000Z',
  schema: 'AAAA', files: [{ path: 'data/a.parquet', format: 'parquet', rows: 1, fileBytes: 1, arrowBytes: 1, batches: [1], columns: [] }], rows: 1, arrowBytes: 1, added: { files: 1, rows: 1 },
};

test('a well-formed manifest decodes', () => {
  assert.deepEqual(manifestFromJson(JSON.stringify(good), FILE), good);
});

test('a manifest that is not JSON (truncated) is DATA_LOSS naming the file', () => {
  assert.throws(() => manifestFromJson(JSON.stringify(good).slice(0, 40), FILE), isDataLoss(/not JSON/));
  assert.throws(() => manifestFromJson('', FILE), isDataLoss(/not JSON/));
});

test('a manifest that is JSON but not an object is DATA_LOSS', () => {
  assert.throws(() => manifestFromJson('null', FILE), isDataLoss(/not a JSON object/));
  assert.throws(() => manifestFromJson('[1]', FILE), isDataLoss(/not a JSON object/));
});

test('a manifest of another format version is DATA_LOSS', () => {
  assert.throws(() => manifestFromJson(JSON.stringify({ ...good, formatVersion: 2 }), FILE), isDataLoss(/format version 2/));
});

test('a manifest with missing or mistyped fields is DATA_LOSS naming them', () => {
  const { files: _, tableId: __, ...rest } = good;
  assert.throws(() => manifestFromJson(JSON.stringify(rest), FILE), isDataLoss(/fields tableId, files missing/));
  assert.throws(() => manifestFromJson(JSON.stringify({ ...good, version: '1' }), FILE), isDataLoss(/field version missing or of the wrong type/));
  assert.throws(() => manifestFromJson(JSON.stringify({ ...good, files: [{ rows: 1 }] }), FILE), isDataLoss(/field files/));
});

const store = tempStore();
after(() => closeStore(store));

test('a committed manifest damaged on disk reads as DATA_LOSS, and reaches a client as DATA_LOSS', async () => {
  const m = await put(store, 'damaged', part(1, [2]));
  const [entry] = await store.coordinator.entries('damaged');
  const file = store.layout.file('damaged', entry!.manifest);
  assert.equal(m.version, 1);
  fs.writeFileSync(file, '{"formatVersion": 1, "table": "dam');
  // A store of its own: the writer's store keeps the manifest it wrote in its cache.
  const fresh = new TableStore(store.root, new LocalCoordinator(store.layout.logRoot), store.staging, { parquetWorkers: 1 });
  try {
    const error = await fresh.snapshot('damaged').then(() => assert.fail('a damaged manifest was read'), (e: unknown) => e);
    assert.ok(error instanceof QuiverError && error.code === 'DATA_LOSS' && error.message.includes(file), String(error));
    assert.equal(toStatus(error).code, grpc.status.DATA_LOSS);
  } finally {
    await fresh.close();
  }
});

test('storage states what is missing; the Flight layer adds what the client should do', async () => {
  const error = await store.snapshot('nobody').then(() => assert.fail('read a table that does not exist'), (e: unknown) => e);
  assert.ok(error instanceof QuiverError && error.fact?.kind === 'table-missing');
  assert.equal(error.message, 'table "nobody" does not exist');
  assert.equal(toStatus(error).details, 'table "nobody" does not exist; ListFlights shows the tables there are');
});
