// A reader of a version that expires under it: DoGet's stream ends in NOT_FOUND, never in
// partial data passed off as complete; the same missing file under a retained version is
// DATA_LOSS, as before.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { QuiverError } from '../../src/errors.ts';
import type { FlightContext } from '../../src/flight/context.ts';
import { EndpointLeases } from '../../src/flight/endpoint-leases.ts';
import type { CallInfo } from '../../src/flight/handler-kit.ts';
import { readTicket } from '../../src/flight/handlers/do-get.ts';
import { encodeTicket } from '../../src/flight/tickets.ts';
import type { Manifest } from '../../src/storage/manifest.ts';
import { closeStore, part, put, tempStore } from './maintenance-fixtures.ts';

const store = tempStore();
after(() => closeStore(store));
const ctx = { store, leases: new EndpointLeases(), retentionMs: 3_600_000 } as unknown as FlightContext;
const info = { signal: new AbortController().signal } as CallInfo;
const ticketOf = (m: Manifest) => encodeTicket({ table: m.table, tableId: m.tableId, version: m.version, files: [0, m.files.length] });

test('a version expired and collected after its DoGet began: the stream fails with NOT_FOUND', async () => {
  const v1 = await put(store, 'r', part(1, [3, 3]));
  await put(store, 'r', part(2, [3]), 'overwrite');
  const stream = readTicket(ctx, ticketOf(v1), info);
  assert.equal((await stream.next()).done, false, 'the schema went out');
  assert.deepEqual(await store.coordinator.expire('r', [1]), [1]);
  for (const f of v1.files) fs.rmSync(path.join(store.tableDir('r'), f.path));
  await assert.rejects(stream.next(), (e: unknown) => e instanceof QuiverError && e.code === 'NOT_FOUND' && /expired while this stream was being read/.test(e.message));
  // A new DoGet of the expired version is refused before any data.
  await assert.rejects(readTicket(ctx, ticketOf(v1), info).next(), (e: unknown) => e instanceof QuiverError && e.code === 'NOT_FOUND' && /no version 1/.test(e.message));
});

test('the same missing file under a retained version is DATA_LOSS', async () => {
  const v1 = await put(store, 'd', part(1, [3]));
  await put(store, 'd', part(2, [3]), 'overwrite');
  const stream = readTicket(ctx, ticketOf(v1), info);
  await stream.next();
  for (const f of v1.files) fs.rmSync(path.join(store.tableDir('d'), f.path));
  await assert.rejects(stream.next(), (e: unknown) => e instanceof QuiverError && e.code === 'DATA_LOSS');
});
