// The change feed on an embedded server (local coordinator: commits notify followers in
// process), over real gRPC: what each operation sends, the marker's exact shape, resuming with
// from_version, the ends of a feed (drop, expiry), the PollFlightInfo long poll and backpressure.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { tableFromArrays } from 'apache-arrow';
import { AdminClient, FlightClient, FlightError, decodeVersionMarker, type FollowItem } from '../../src/client/index.ts';
import { startServer, type StartedServer } from '../../src/server/index.ts';

const rows = (ids: number[]) => tableFromArrays({ id: Int32Array.from(ids), name: ids.map((i) => `n${i}`) });
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const cmd = (o: object) => ({ type: 'CMD' as const, cmd: Buffer.from(JSON.stringify(o)) });

/** Items of a follow until `stop` says so (then the loop breaks, cancelling the stream). */
async function take(it: AsyncIterable<FollowItem>, stop: (got: FollowItem[]) => boolean): Promise<FollowItem[]> {
  const got: FollowItem[] = [];
  if (stop(got)) return got;
  for await (const item of it) {
    got.push(item);
    if (stop(got)) break;
  }
  return got;
}
const idsOf = (items: FollowItem[]) => items.flatMap((i) => (i.batch ? [...i.batch.getChild('id')!.toArray()] : []));
const markersOf = (items: FollowItem[]) => items.filter((i) => !i.batch).map((i) => `${i.version}:${i.operation}:${i.rows}`);

describe('follow on an embedded server', () => {
  let server: StartedServer;
  let client: FlightClient;
  let admin: AdminClient;

  before(async () => {
    server = await startServer({ retentionMs: 200, gcGraceMs: 0, maintenanceIntervalMs: 0, compactMinFiles: 2 });
    client = new FlightClient(server.location);
    admin = new AdminClient(client);
  });
  after(async () => {
    client?.close();
    await server?.close();
  });

  test('appends send their new rows, a compaction its marker alone, an overwrite the whole new version; a drop ends the feed', async () => {
    await client.doPut('ops', rows([1, 2]));
    const ctl = new AbortController();
    const feed = client.follow('ops', { fromVersion: 2, signal: ctl.signal, reconnectForMs: 0 });
    const got: FollowItem[] = [];
    const reading = (async () => {
      for await (const item of feed) got.push(item);
    })();
    reading.catch(() => {});
    await client.doPut({ type: 'CMD', cmd: Buffer.from('{"table": "ops", "mode": "append"}') }, rows([3, 4, 5]));
    await client.doPut('ops', rows([6]));
    for await (const _ of admin.maintenance({ table: 'ops', tasks: ['compact'] }));
    await client.doPut(cmd({ table: 'ops', mode: 'overwrite' }), rows([10, 11]));
    await client.doPut('ops', rows([12]));
    await admin.drop('ops');
    await assert.rejects(reading, (e: unknown) => e instanceof FlightError && e.code === grpc.status.NOT_FOUND && /dropped/.test(e.details) && /version 7/.test(e.details));
    assert.deepEqual(markersOf(got), ['2:append:3', '3:append:1', '4:compact:0', '5:overwrite:2', '6:append:1']);
    assert.deepEqual(idsOf(got), [3, 4, 5, 6, 10, 11, 12]);
    for (const item of got) assert.match(item.committedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  test('the raw stream: the schema, then per version a metadata-only message with the documented JSON, then its batches', async () => {
    await client.doPut('raw', rows([1, 2, 3]));
    const info = await client.getFlightInfo(cmd({ table: 'raw', follow: true, from_version: 1, columns: ['id'] }));
    assert.equal(info.endpoints.length, 1);
    assert.equal(info.totalRecords, -1);
    assert.deepEqual(info.schema!.fields.map((f) => f.name), ['id']);
    assert.deepEqual(JSON.parse(Buffer.from(info.appMetadata).toString()), { table: 'raw', from_version: 1, head_version: 1 });
    const ctl = new AbortController();
    const stream = client.doGet(info.endpoints[0]!, { signal: ctl.signal });
    const seen: unknown[] = [];
    setTimeout(() => void client.doPut('raw', rows([4])), 50);
    try {
      for await (const item of stream.items()) {
        if (item.batch) seen.push({ ids: [...item.batch.getChild('id')!.toArray()], columns: item.batch.schema.fields.map((f) => f.name) });
        else seen.push(JSON.parse(Buffer.from(item.appMetadata).toString()));
        if (seen.length === 4) break;
      }
    } finally {
      ctl.abort();
    }
    const [m1, b1, m2, b2] = seen as Record<string, unknown>[];
    assert.deepEqual(Object.keys(m1!), ['table', 'version', 'operation', 'committed_at', 'rows']);
    assert.deepEqual({ ...m1, committed_at: 'x' }, { table: 'raw', version: 1, operation: 'create', committed_at: 'x', rows: 3 });
    assert.deepEqual(b1, { ids: [1, 2, 3], columns: ['id'] });
    assert.deepEqual({ ...m2, committed_at: 'x' }, { table: 'raw', version: 2, operation: 'append', committed_at: 'x', rows: 1 });
    assert.deepEqual(b2, { ids: [4], columns: ['id'] });
    assert.ok(decodeVersionMarker(Buffer.from(JSON.stringify(m2))));
  });

  test('resuming with from_version misses nothing and repeats nothing, and batches keep their app_metadata', async () => {
    for (let v = 0; v < 10; v++) await client.doPut('resume', rows(range(v * 3, v * 3 + 3)), { appMetadata: (_, i) => Buffer.from(`v${v}b${i}`) });
    let from = 1;
    const all: FollowItem[] = [];
    // Read a few items at a time, stopping anywhere (even inside a version), resuming after the last whole version.
    while (all.filter((i) => !i.batch).length < 10 || idsOf(all).length < 30) {
      const part = await take(client.follow('resume', { fromVersion: from, reconnectForMs: 0 }), (g) => g.length >= 3 || idsOf(g).includes(29));
      const lastMarker = part.filter((i) => !i.batch).at(-1)!;
      const complete = idsOf(part.filter((i) => i.version === lastMarker.version)).length === lastMarker.rows;
      const keep = complete ? part : part.filter((i) => i.version !== lastMarker.version);
      all.push(...keep);
      from = complete ? lastMarker.version + 1 : lastMarker.version;
    }
    assert.deepEqual(idsOf(all), range(0, 30));
    assert.deepEqual(all.filter((i) => !i.batch).map((i) => i.version), range(1, 11));
    assert.deepEqual(all.filter((i) => i.batch && i.version === 3).map((i) => Buffer.from(i.appMetadata!).toString()), ['v2b0']);
  });

  test('a version that has expired ends the feed with NOT_FOUND naming the oldest retained version', async () => {
    for (let v = 0; v < 4; v++) await client.doPut('expiry', rows([v]));
    await new Promise((r) => setTimeout(r, 300));
    for await (const _ of admin.maintenance({ table: 'expiry', tasks: ['expire'] }));
    assert.deepEqual((await admin.history('expiry')).map((h) => h.version), [4]);
    await assert.rejects(take(client.follow('expiry', { fromVersion: 2, reconnectForMs: 0 }), () => false),
      (e: unknown) => e instanceof FlightError && e.code === grpc.status.NOT_FOUND && /version 2/.test(e.details) && /oldest retained version is 4/.test(e.details));
    const got = await take(client.follow('expiry', { fromVersion: 4 }), (g) => g.length === 2);
    assert.deepEqual(idsOf(got), [3]);
  });

  test('bad follow descriptors are INVALID_ARGUMENT; an unknown table NOT_FOUND', async () => {
    await client.doPut('bad', rows([1]));
    for (const d of [{ table: 'bad', follow: 1 }, { table: 'bad', follow: true, from_version: 0 }, { table: 'bad', follow: true, from_version: 3 }, { table: 'bad', follow: true, version: 1 }, { table: 'bad', follow: true, columns: ['nope'] }]) {
      await assert.rejects(client.getFlightInfo(cmd(d)), (e: unknown) => e instanceof FlightError && e.code === grpc.status.INVALID_ARGUMENT, JSON.stringify(d));
    }
    await assert.rejects(client.getFlightInfo(cmd({ table: 'missing', follow: true })), (e: unknown) => e instanceof FlightError && e.code === grpc.status.NOT_FOUND);
  });

  test('an overwrite that replaces the schema ends one stream (FAILED_PRECONDITION); client.follow goes on with the new schema', async () => {
    await client.doPut('schema', rows([1]));
    const info = await client.getFlightInfo(cmd({ table: 'schema', follow: true }));
    const raw = (async () => {
      for await (const _ of client.doGet(info.endpoints[0]!).items());
    })();
    const ctl = new AbortController();
    const followed = take(client.follow('schema', { signal: ctl.signal }), (g) => g.length === 4);
    await new Promise((r) => setTimeout(r, 100));
    await client.doPut(cmd({ table: 'schema', mode: 'overwrite' }), tableFromArrays({ other: Float64Array.from([0.5]) }));
    await assert.rejects(raw, (e: unknown) => e instanceof FlightError && e.code === grpc.status.FAILED_PRECONDITION && /"from_version": 2/.test(e.details));
    await client.doPut('schema', tableFromArrays({ other: Float64Array.from([1.5]) }));
    const got = await followed;
    assert.deepEqual(got.map((i) => (i.batch ? [...i.batch.getChild('other')!.toArray()] : `${i.version}:${i.operation}`)), ['2:overwrite', [0.5], '3:append', [1.5]]);
  });

  test('PollFlightInfo is a long poll: it answers when the next version is committed, or after wait_ms with a descriptor to poll again', async () => {
    await client.doPut('poll', rows([1]));
    const t0 = Date.now();
    const empty = await client.pollFlightInfo(cmd({ table: 'poll', follow: true, wait_ms: 200 }));
    assert.ok(Date.now() - t0 >= 190);
    assert.equal(empty.info!.endpoints.length, 0);
    assert.deepEqual(JSON.parse(Buffer.from((empty.descriptor as { cmd: Uint8Array }).cmd).toString()), { table: 'poll', follow: true, from_version: 2, wait_ms: 200 });
    const waiting = client.pollFlightInfo(cmd({ table: 'poll', follow: true, from_version: 2 }));
    setTimeout(() => void client.doPut('poll', rows([2, 3])), 100);
    const ready = await waiting;
    assert.equal(ready.info!.endpoints.length, 1);
    assert.deepEqual(JSON.parse(Buffer.from((ready.descriptor as { cmd: Uint8Array }).cmd).toString()), { table: 'poll', follow: true, from_version: 3 });
    // The endpoint is bounded: that version (every one committed up to the answer), then the end.
    const items = [];
    for await (const item of client.doGet(ready.info!.endpoints[0]!).items()) items.push(item.batch ? [...item.batch.getChild('id')!.toArray()] : decodeVersionMarker(item.appMetadata)!.version);
    assert.deepEqual(items, [2, [2, 3]]);
  });

  test('a follower that does not read is held back by the stream (backpressure), and then gets everything in order', async () => {
    await client.doPut('slow', rows([0]));
    const big = (v: number) => tableFromArrays({ id: Int32Array.from({ length: 50_000 }, (_, i) => v * 50_000 + i), name: Array.from({ length: 50_000 }, () => 'x'.repeat(20)) });
    const it = client.follow('slow', { fromVersion: 2 })[Symbol.asyncIterator]();
    const first = it.next();
    for (let v = 1; v <= 12; v++) await client.doPut('slow', big(v));
    // Nothing read but the first item while 12 versions (~15 MB) were committed; now read them all.
    const got: FollowItem[] = [(await first).value];
    while (idsOf(got).length < 12 * 50_000) got.push((await it.next()).value);
    await it.return(undefined);
    assert.deepEqual(markersOf(got), range(2, 14).map((v) => `${v}:append:50000`));
    const ids = idsOf(got);
    assert.ok(ids.every((id, i) => id === 50_000 + i));
  });
});
