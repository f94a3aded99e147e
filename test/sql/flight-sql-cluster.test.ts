// Flight SQL in a cluster of two replicas on one data root and a real ZooKeeper: writes sent
// to the follower (bulk ingest, DDL arriving as a query) commit through the leader, and a query
// planned on one replica executes on the other, with the versions its ticket pinned.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { tableFromArrays, tableFromIPC } from 'apache-arrow';
import { encodeStream } from '../../src/arrow/ipc-framing.ts';
import type { FlightDataMessage } from '../../src/wire/flight-data.ts';
import { decodeSql, packSql } from '../../src/sql/sql-messages.ts';
import { framesOf, putMessages } from '../harness/arrow-frames.ts';
import { rawPut, rawClient, streamCall, unaryCall, type RawClient } from '../harness/raw-flight-client.ts';
import { startReplicaSet, type ReplicaSet } from '../harness/replica-set.ts';

let set: ReplicaSet<RawClient>;
let leader: RawClient;
let follower: RawClient;

const cmd = (bytes: Buffer) => ({ type: 'CMD' as const, cmd: bytes, path: [] });
const ingest = (table: string) => packSql('CommandStatementIngest', {
  table,
  table_definition_options: { if_not_exist: 'TABLE_NOT_EXIST_OPTION_CREATE', if_exists: 'TABLE_EXISTS_OPTION_FAIL' },
});

async function read(client: RawClient, ticket: Buffer) {
  return tableFromIPC(encodeStream(await streamCall<FlightDataMessage>(client, 'DoGet', { ticket })));
}

async function isLeader(client: RawClient): Promise<boolean> {
  const [status] = await streamCall<{ body: Buffer }>(client, 'DoAction', { type: 'cluster-status', body: Buffer.alloc(0) });
  return (JSON.parse(status!.body.toString()) as { isLeader: boolean }).isLeader;
}

describe('Flight SQL in a cluster', () => {
  before(async () => {
    set = await startReplicaSet({ count: 2, cluster: 'flight-sql-test', client: (p) => rawClient(p.address) });
    const [a, b] = set.replicas.map((r) => r.client);
    [leader, follower] = (await isLeader(a!)) ? [a!, b!] : [b!, a!];
  });
  after(() => set?.stop());

  test('ingest, DDL and INSERT sent to the follower commit through the leader; a query planned on one replica runs on the other', async () => {
    const put = await rawPut(follower, putMessages(cmd(ingest('c/t')), framesOf(tableFromArrays({ v: new BigInt64Array([1n, 2n]) }))));
    assert.equal(put.error, null);
    assert.equal(decodeSql<{ record_count: number }>('DoPutUpdateResult', put.results[0]!).record_count, 2);

    const ddl = await unaryCall<{ endpoint: { ticket: { ticket: Buffer } }[] }>(follower, 'GetFlightInfo',
      cmd(packSql('CommandStatementQuery', { query: 'CREATE TABLE "c/copy" AS SELECT v * 10 AS w FROM "c/t"' })));
    assert.deepEqual((await read(follower, ddl.endpoint[0]!.ticket.ticket)).toArray().map((r) => r.toJSON()), [{ count: 2n }]);

    const planned = await unaryCall<{ endpoint: { ticket: { ticket: Buffer } }[] }>(follower, 'GetFlightInfo',
      cmd(packSql('CommandStatementQuery', { query: 'SELECT CAST(sum(w) AS BIGINT) AS s FROM "c/copy"' })));
    const insert = packSql('CommandStatementUpdate', { query: 'INSERT INTO "c/copy" VALUES (1000)' });
    const more = await rawPut(follower, [{ descriptor: cmd(insert), header: new Uint8Array(0), body: new Uint8Array(0) }]);
    assert.equal(more.error, null);
    assert.equal(decodeSql<{ record_count: number }>('DoPutUpdateResult', more.results[0]!).record_count, 1);
    // Executed on the leader, with the version the follower's plan pinned; a new plan sees the insert.
    assert.deepEqual((await read(leader, planned.endpoint[0]!.ticket.ticket)).toArray().map((r) => r.toJSON()), [{ s: 30n }]);
    const now = await unaryCall<{ endpoint: { ticket: { ticket: Buffer } }[] }>(leader, 'GetFlightInfo',
      cmd(packSql('CommandStatementQuery', { query: 'SELECT CAST(sum(w) AS BIGINT) AS s FROM "c/copy"' })));
    assert.deepEqual((await read(follower, now.endpoint[0]!.ticket.ticket)).toArray().map((r) => r.toJSON()), [{ s: 1030n }]);
    const history = await streamCall<{ body: Buffer }>(follower, 'DoAction', { type: 'history', body: Buffer.from('{"table":"c/copy"}') });
    assert.deepEqual(history.map((h) => JSON.parse(h.body.toString()).operation), ['create', 'append']);
  });
});
