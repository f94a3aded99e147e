// The SQL limits as `quiver serve` flags: a server started with --sql-time-limit stops a long
// Flight SQL query with DEADLINE_EXCEEDED (real gRPC over loopback) and goes on answering.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { status, type ServiceError } from '@grpc/grpc-js';
import { tableFromIPC } from 'apache-arrow';
import { encodeStream } from '../../src/arrow/ipc-framing.ts';
import type { FlightDataMessage } from '../../src/wire/flight-data.ts';
import { packSql } from '../../src/sql/sql-messages.ts';
import { rawClient, streamCall, unaryCall, type RawClient } from '../harness/raw-flight-client.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';
import { parseAssignments } from '../../src/server/cluster-settings.ts';

let server: QuiverProcess;
let client: RawClient;

before(async () => {
  server = await startQuiver(['--sql-time-limit', '300ms', '--sql-max-queries', '2']);
  client = rawClient(server.address);
});
after(async () => {
  client.close();
  await server.stop();
});

const query = (sql: string) => ({ type: 'CMD' as const, cmd: packSql('CommandStatementQuery', { query: sql }), path: [] });

async function run(sql: string) {
  const info = await unaryCall<{ endpoint: { ticket: { ticket: Buffer } }[] }>(client, 'GetFlightInfo', query(sql));
  const messages = await streamCall<FlightDataMessage>(client, 'DoGet', { ticket: info.endpoint[0]!.ticket.ticket });
  return tableFromIPC(encodeStream(messages));
}

test('--sql-time-limit stops a long query with DEADLINE_EXCEEDED, and the server still answers', { timeout: 60_000 }, async () => {
  const started = Date.now();
  await assert.rejects(run('SELECT count(*) AS n FROM range(1000000000) a, range(1000000000) b WHERE a.range + b.range = -1'), (e: ServiceError) => {
    assert.equal(e.code, status.DEADLINE_EXCEEDED, e.message);
    assert.match(e.details, /time limit of 300 ms/);
    return true;
  });
  assert.ok(Date.now() - started < 20_000, 'the query was stopped near its limit');
  const table = await run('SELECT 41 + 1 AS x');
  assert.deepEqual(table.toArray().map((r) => r.toJSON()), [{ x: 42 }]);
});

test('the time limit and max queries are cluster settings, parsed as their flags are', () => {
  assert.deepEqual(parseAssignments(['sql-time-limit=5s', '--sql-max-queries=3']), { sqlTimeLimitMs: 5000, sqlMaxQueries: 3 });
  assert.throws(() => parseAssignments(['sql-max-queries=0']), /sql-max-queries must be an integer >= 1/);
  assert.throws(() => parseAssignments(['sql-memory-limit=1GiB']), /per-replica setting/);
});
