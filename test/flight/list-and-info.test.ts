// ListFlights and GetFlightInfo as they are served from memory: the local coordinator's index of
// table names (kept by its own creates and drops, refreshed by a scan of the disk), and FlightInfo
// encoded once per version. What a client decodes must be exactly what the object path builds,
// with each call's own expiration times and renewals.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { LocalCoordinator } from '../../src/coord/local-coordinator.ts';
import { TableNameIndex } from '../../src/coord/local/table-name-index.ts';
import { tableDirName } from '../../src/table-names.ts';
import { FlightInfoCache, ListingCache, encodeFlightInfo, encodeLocations, encodeVersionInfo, listingInfoOf, listingTicketKey } from '../../src/flight/flight-info-cache.ts';
import { decodeTicket, encodeTicket } from '../../src/flight/tickets.ts';
import { decodeMessage, encodeMessage } from '../../src/wire/protocol.ts';
import { framesOf, pathDescriptor, putMessages } from '../harness/arrow-frames.ts';
import { sampleTable } from '../harness/flight-tables.ts';
import { rawClient, rawPut, streamCall, unaryCall, type RawClient } from '../harness/raw-flight-client.ts';
import { startQuiver, tempDir, type QuiverProcess } from '../harness/quiver-process.ts';

describe('the local coordinator lists tables from memory', () => {
  test('creates and drops are listed at once; a name file removed behind its back stays listed until a scan of the disk', async () => {
    const dir = tempDir();
    const c = new LocalCoordinator(dir);
    await c.publish('a/1', 0, 'm1.json');
    assert.deepEqual((await c.listHeads()).map((h) => h.table), ['a/1']);
    await c.publish('b', 0, 'm1.json');
    await c.publish('a/2', 0, 'm1.json');
    await c.publish('a/1', 1, 'm2.json');
    assert.deepEqual((await c.listHeads()).map((h) => `${h.table}@${h.head.version}`), ['a/1@2', 'a/2@1', 'b@1']);
    assert.deepEqual((await c.listHeads('a/')).map((h) => h.table), ['a/1', 'a/2']);
    assert.deepEqual((await c.listHeads('c')).map((h) => h.table), []);
    await c.dropTable('a/1');
    assert.deepEqual((await c.listHeads()).map((h) => h.table), ['a/2', 'b']);

    // The listing reads no file: only tables() (maintenance's question) looks at the disk again.
    fs.rmSync(path.join(dir, tableDirName('b'), 'table.json'));
    assert.deepEqual((await c.listHeads()).map((h) => h.table), ['a/2', 'b']);
    assert.deepEqual(await c.tables(), ['a/2']);
    assert.deepEqual((await c.listHeads()).map((h) => h.table), ['a/2']);
    // A new process sees what the disk holds.
    assert.deepEqual((await new LocalCoordinator(dir).listHeads()).map((h) => h.table), ['a/2']);
  });

  test('a table created while a scan runs is listed after it', async () => {
    const dir = tempDir();
    const c = new LocalCoordinator(dir);
    for (let i = 0; i < 50; i++) await c.publish(`t${String(i).padStart(3, '0')}`, 0, 'm1.json');
    const fresh = new LocalCoordinator(dir);
    const [listed] = await Promise.all([fresh.listHeads(), fresh.publish('late', 0, 'm1.json'), fresh.dropTable('t000')]);
    assert.ok(listed.length >= 49);
    const names = (await fresh.listHeads()).map((h) => h.table);
    assert.ok(names.includes('late') && !names.includes('t000') && names.length === 50, names.join());
  });

  test('the index keeps changes made during a scan over what the scan found', () => {
    const index = new TableNameIndex();
    index.add('kept');
    const scan = index.beginScan();
    index.add('created');
    index.delete('dropped');
    scan.finish(['dropped', 'kept', 'other']);
    assert.deepEqual(index.withPrefix(), ['created', 'kept', 'other']);
    assert.deepEqual(index.withPrefix('k'), ['kept']);
    const abandoned = index.beginScan();
    abandoned.abandon();
    index.add('z');
    assert.deepEqual(index.withPrefix(), ['created', 'kept', 'other', 'z']);
  });
});

describe('encoded FlightInfo', () => {
  test('decodes to what protobufjs encodes from the whole object', () => {
    const schema = Buffer.from([1, 2, 3, 4]);
    const descriptor = { type: 'PATH' as const, path: ['a', 'b'] };
    const tickets = [encodeTicket({ table: 'a/b', tableId: 'x', version: 3, files: [0, 2] }), encodeTicket({ table: 'a/b', tableId: 'x', version: 3, files: [2, 5] })];
    const v = encodeVersionInfo({ schema, descriptor, tickets, totalRecords: 2 ** 40 + 7, totalBytes: 123_456_789 });
    const uris = ['grpc+tcp://127.0.0.1:1', 'grpc+tcp://127.0.0.1:2'];
    const expires = [1_700_000_000_123, 2 ** 42];
    for (const locations of [uris, []]) {
      const encoded = encodeFlightInfo(v, encodeLocations(locations), (i) => expires[i]!);
      const whole = encodeMessage('FlightInfo', {
        schema,
        flight_descriptor: descriptor,
        endpoint: tickets.map((ticket, i) => ({
          ticket: { ticket },
          location: locations.map((uri) => ({ uri })),
          expiration_time: { seconds: Math.floor(expires[i]! / 1000), nanos: (expires[i]! % 1000) * 1_000_000 },
        })),
        total_records: 2 ** 40 + 7,
        total_bytes: 123_456_789,
        ordered: true,
      });
      assert.deepEqual(decodeMessage('FlightInfo', encoded), decodeMessage('FlightInfo', whole));
    }
  });

  test('the cache keeps within its budget, least recently used out first', () => {
    const entry = (n: number) => ({ fixed: Buffer.alloc(n), tickets: [], rawTickets: [], bytes: n });
    const cache = new FlightInfoCache(1000);
    cache.set('a', entry(400));
    cache.set('b', entry(400));
    cache.get('a');
    cache.set('c', entry(400));
    assert.ok(cache.get('a') && cache.get('c') && !cache.get('b'));
    cache.set('huge', entry(2000));
    assert.equal(cache.get('huge'), undefined);
    assert.ok(cache.stats().bytes <= 1000);
  });
});

test('the listing cache admits tables while it has room, re-encodes a new version, a full listing drops what it did not list, and fragmented slabs are compacted', () => {
  // Slabs of 1,000 bytes; each entry is 300 bytes of encoding plus 200 counted for its objects.
  const cache = new ListingCache(2 * 1000 + 4 * 200, 1000);
  let made = 0;
  const make = (table: string, version: number) => () => {
    made++;
    const ticket = Buffer.concat([Buffer.from([0x0a, 49, 0x0a, 47]), Buffer.alloc(47, `${table}@${version}`)]);
    return { fixed: Buffer.alloc(249, table), tickets: [ticket], rawTickets: [ticket.subarray(4)], bytes: 0 };
  };
  const expected = (table: string, version: number) => listingInfoOf(make(table, version)());
  const list = (tables: string[], all = true, version = (_t: string) => 1) => {
    const pass = cache.pass(all);
    for (const t of tables) {
      const got = pass.get(t, 'id', version(t), make(t, version(t)));
      made--; // expected() below makes one too
      assert.deepEqual(got, expected(t, version(t)), `${t}'s listing answer`);
      assert.ok(cache.stats().bytes <= cache.budgetBytes, JSON.stringify(cache.stats()));
    }
    pass.finish();
  };
  list(['a', 'b', 'c', 'd', 'e', 'f']);
  assert.equal(made, 6);
  assert.equal(cache.stats().entries, 4, 'two slabs of three hold four entries within the budget; the rest evicted nothing');
  list(['a', 'b', 'c', 'd']);
  assert.equal(made, 6, 'all four were cached');
  list(['a', 'b', 'c', 'd'], true, (t) => (t === 'c' ? 2 : 1));
  assert.equal(made, 7, 'c at a new version was encoded again');
  list(['a']);
  assert.equal(cache.stats().entries, 1, 'a full listing of a alone dropped the rest');
  // a alone holds the first slab (a slab held counts in full) and g fills the second; for h the
  // held slabs are mostly dead, so a and g move to a fresh one, and h and i find room.
  list(['a', 'g', 'h', 'i', 'j', 'k']);
  assert.equal(cache.stats().entries, 4, JSON.stringify(cache.stats()));
  const some = cache.pass(false);
  some.get('a', 'other-incarnation', 1, make('a', 1));
  some.finish();
  assert.equal(made, 7 + 5 + 1, 'g to k and a\'s new incarnation were encoded');
  assert.equal(listingTicketKey(expected('x', 3)), Buffer.alloc(47, 'x@3').toString('base64'));
});

interface Info {
  schema: Buffer;
  flight_descriptor: { type: string; path: string[] };
  endpoint: { ticket: { ticket: Buffer }; location: { uri: string }[]; expiration_time: { seconds: string | number; nanos: number } | null }[];
  total_records: string | number;
  total_bytes: string | number;
  ordered: boolean;
}

describe('GetFlightInfo and ListFlights on a server', () => {
  let server: QuiverProcess;
  let client: RawClient;
  before(async () => {
    server = await startQuiver(['--endpoint-bytes', '64', '--row-group-rows', '5']);
    client = rawClient(server.address);
    for (const name of ['listed/one', 'listed/two', 'other']) {
      const put = await rawPut(client, putMessages(pathDescriptor(name), framesOf(sampleTable(3, 5))));
      assert.equal(put.error, null);
    }
  });
  after(async () => {
    client.close();
    await server.stop();
  });

  const info = (d: object) => unaryCall<Info>(client, 'GetFlightInfo', d);
  const poll = (d: object) => unaryCall<{ info: Info }>(client, 'PollFlightInfo', d).then((p) => p.info);
  const expiration = (e: Info['endpoint'][number]) => Number(e.expiration_time!.seconds) * 1000 + e.expiration_time!.nanos / 1e6;
  const withoutExpiration = (i: Info) => ({ ...i, endpoint: i.endpoint.map((e) => ({ ...e, expiration_time: null })) });
  function list(prefix = ''): Promise<Info[]> {
    return new Promise((resolve, reject) => {
      const out: Info[] = [];
      const call = client.ListFlights({ expression: Buffer.from(prefix) }) as grpc.ClientReadableStream<Info>;
      call.on('data', (i: Info) => out.push(i));
      call.on('error', reject);
      call.on('end', () => resolve(out));
    });
  }

  test('the encoded answer is the object one (PollFlightInfo builds objects), call after call, with fresh expiration times', async () => {
    const d = pathDescriptor('listed/one');
    const first = await info(d);
    assert.ok(first.endpoint.length > 1, 'the endpoint size splits the version');
    await new Promise((r) => setTimeout(r, 20));
    const again = await info(d);
    assert.deepEqual(withoutExpiration(again), withoutExpiration(await poll(d)));
    assert.deepEqual(withoutExpiration(again), withoutExpiration(first));
    assert.ok(expiration(again.endpoint[0]!) > expiration(first.endpoint[0]!), 'each call has its own expiration time');
    assert.equal(Number(first.total_records), 15);
  });

  test('a projection, a version and a command descriptor are each their own answer', async () => {
    await rawPut(client, putMessages(pathDescriptor('listed/one'), framesOf(sampleTable(1, 2))));
    const head = await info(pathDescriptor('listed/one'));
    assert.equal(Number(head.total_records), 17);
    const v1 = await info({ type: 'CMD', cmd: Buffer.from(JSON.stringify({ table: 'listed/one', version: 1 })) });
    assert.equal(Number(v1.total_records), 15);
    assert.equal(decodeTicket(v1.endpoint[0]!.ticket.ticket).version, 1);
    assert.equal(v1.flight_descriptor.type, 'CMD');
    const projected = await info({ type: 'CMD', cmd: Buffer.from(JSON.stringify({ table: 'listed/one', columns: ['id'] })) });
    assert.deepEqual(decodeTicket(projected.endpoint[0]!.ticket.ticket).columns, ['id']);
    assert.ok(Number(projected.total_bytes) < Number(head.total_bytes));
    assert.deepEqual(withoutExpiration(await info({ type: 'CMD', cmd: Buffer.from(JSON.stringify({ table: 'listed/one', version: 1 })) })), withoutExpiration(v1));
  });

  test('a renewal shows in the next GetFlightInfo of the same version', async () => {
    const d = pathDescriptor('other');
    const before = await info(d);
    const endpoint = before.endpoint[0]!;
    const until = Date.now() + 10 * 24 * 3600 * 1000;
    const renewed = await new Promise<number>((resolve, reject) => {
      const call = client.DoAction({ type: 'RenewFlightEndpoint', body: encodeMessage('RenewFlightEndpointRequest', { endpoint: { ...endpoint, expiration_time: { seconds: Math.floor(until / 1000), nanos: 0 } } }) });
      call.on('data', (r: { body: Buffer }) => resolve(expiration(decodeMessage<Info['endpoint'][number]>('FlightEndpoint', r.body))));
      call.on('error', reject);
    });
    const after = await info(d);
    assert.ok(expiration(after.endpoint[0]!) >= renewed - 1, `${expiration(after.endpoint[0]!)} < ${renewed}`);
    assert.ok(renewed > expiration(before.endpoint[0]!));
  });

  test('ListFlights lists by prefix, each table once, one endpoint covering its current version', async () => {
    const all = await list();
    assert.deepEqual(all.map((i) => i.flight_descriptor.path.join('/')), ['listed/one', 'listed/two', 'other']);
    const some = await list('listed/');
    assert.deepEqual(some.map((i) => i.flight_descriptor.path.join('/')), ['listed/one', 'listed/two']);
    const one = some[0]!;
    assert.equal(one.endpoint.length, 1);
    const t = decodeTicket(one.endpoint[0]!.ticket.ticket);
    assert.equal(t.version, 2);
    assert.equal(Number(one.total_records), 17);
    assert.ok(one.endpoint[0]!.location.length > 0 && one.ordered);
    assert.deepEqual(one.schema, (await info(pathDescriptor('listed/one'))).schema);
  });

  test('a dropped and re-created table is listed and described as its new incarnation', async () => {
    const before = decodeTicket((await info(pathDescriptor('listed/two'))).endpoint[0]!.ticket.ticket);
    await new Promise<void>((resolve, reject) => {
      const call = client.DoAction({ type: 'drop', body: Buffer.from(JSON.stringify({ table: 'listed/two' })) });
      call.on('data', () => {});
      call.on('error', reject);
      call.on('end', resolve);
    });
    assert.deepEqual((await list('listed/')).map((i) => i.flight_descriptor.path.join('/')), ['listed/one']);
    await rawPut(client, putMessages(pathDescriptor('listed/two'), framesOf(sampleTable(1, 1))));
    const now = decodeTicket((await info(pathDescriptor('listed/two'))).endpoint[0]!.ticket.ticket);
    assert.notEqual(now.tableId, before.tableId);
    assert.equal(now.version, 1);
    const listed = (await list('listed/two'))[0]!;
    assert.equal(decodeTicket(listed.endpoint[0]!.ticket.ticket).tableId, now.tableId);
  });
});

// ListFlights frames its messages into pages of about 64 KiB written to the HTTP/2 stream at
// once (handler-kit's encodedServerStream); a server with interceptors (--metrics-port) takes
// grpc-js' per-message path. Tables with long names make a few pages of a small listing.
describe('ListFlights over several pages', () => {
  const names = Array.from({ length: 90 }, (_, i) => `paged/${String(i).padStart(3, '0')}/${'n'.repeat(300)}`);
  for (const [label, args] of [['written in pages', []], ['through the metrics interceptor', ['--metrics-port', '0']]] as const) {
    test(`every table once, in name order, each with its own ticket (${label}); a cancelled listing leaves the server serving`, async () => {
      const server = await startQuiver([...args]);
      const client = rawClient(server.address);
      try {
        for (const name of names) assert.equal((await rawPut(client, putMessages(pathDescriptor(name), framesOf(sampleTable(1, 1))))).error, null);
        const listed = await streamCall<Info>(client, 'ListFlights', { expression: Buffer.alloc(0) });
        assert.deepEqual(listed.map((i) => i.flight_descriptor.path.join('/')), names);
        const bytes = listed.reduce((n, i) => n + encodeMessage('FlightInfo', i).length, 0);
        assert.ok(bytes > 64 * 1024, `the listing (${bytes} bytes) spans more than one page`);
        for (const [i, info] of listed.entries()) {
          const ticket = decodeTicket(info.endpoint[0]!.ticket.ticket);
          assert.equal(ticket.table, names[i]);
          assert.equal(Number(info.total_records), 1);
          assert.ok(info.endpoint[0]!.expiration_time && info.endpoint[0]!.location.length > 0);
        }
        // A client that goes away after the first message.
        await new Promise<void>((resolve, reject) => {
          const call = client.ListFlights({ expression: Buffer.alloc(0) }) as grpc.ClientReadableStream<Info>;
          call.once('data', () => call.cancel());
          call.on('error', (e: grpc.ServiceError) => (e.code === grpc.status.CANCELLED ? resolve() : reject(e)));
          call.on('end', () => reject(new Error('the cancelled listing ended normally')));
        });
        assert.equal((await streamCall<Info>(client, 'ListFlights', { expression: Buffer.from('paged/08') })).length, 10);
      } finally {
        client.close();
        await server.stop();
      }
    });
  }
});
