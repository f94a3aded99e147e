// Maintenance through a real server: the maintenance action's streamed steps and report, a
// reader holding a ticket of an expired version (NOT_FOUND, never partial data), `quiver
// maintain`, and the periodic loop of a local-mode server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { FlightClient, FlightError } from '../../src/client/index.ts';
import { runCli } from '../harness/cli-process.ts';
import { rowsOf, sampleTable } from '../harness/flight-tables.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Json = Record<string, any>;

async function action(client: FlightClient, type: string, body: unknown): Promise<Json[]> {
  const out: Json[] = [];
  for await (const r of client.doAction(type, typeof body === 'string' ? body : JSON.stringify(body))) out.push(JSON.parse(Buffer.from(r).toString('utf8')) as Json);
  return out;
}

async function history(client: FlightClient, table: string): Promise<number[]> {
  return (await action(client, 'history', { table })).map((v) => v.version as number);
}

describe('maintenance on a server', () => {
  let server: QuiverProcess;
  let client: FlightClient;

  before(async () => {
    server = await startQuiver(['--retention', '300ms', '--gc-grace', '0', '--maintenance-interval', '0', '--compact-min-files', '3']);
    client = new FlightClient(`grpc+tcp://${server.address}`);
  });
  after(async () => {
    client.close();
    await server.stop();
  });

  test('the maintenance action expires, compacts and collects, streaming each step; old tickets get NOT_FOUND', async () => {
    await client.doPut('t', sampleTable(1, 4));
    const firstInfo = await client.getFlightInfo('t');
    for (let i = 0; i < 3; i++) await client.doPut('t', sampleTable(2, 3));
    const expected = rowsOf(await client.readTable('t'));
    await sleep(400);

    const results = await action(client, 'maintenance', { table: 't' });
    const steps = results.filter((r) => r.step).map((r) => r.step as Json);
    assert.deepEqual(steps.map((s) => s.task), ['expire', 'compact', 'convert', 'gc']);
    assert.deepEqual(steps[0]!.result.expired, [1, 2, 3]);
    assert.equal(steps[1]!.result.compacted, true);
    assert.equal(steps[1]!.result.files_before, 4);
    assert.equal(steps[1]!.result.files_after, 1);
    const report = results.at(-1)!.report as Json;
    assert.equal(report.expired_versions, 3);
    assert.equal(report.compacted_tables, 1);
    assert.equal(report.trigger, 'action');

    assert.deepEqual(await history(client, 't'), [4, 5]);
    assert.deepEqual(rowsOf(await client.readTable('t')), expected);
    // A ticket of version 1, issued before it expired: a clear NOT_FOUND, no rows.
    const got: unknown[] = [];
    await assert.rejects((async () => {
      for await (const batch of client.doGet(firstInfo.endpoints[0]!)) got.push(batch);
    })(), (e: unknown) => e instanceof FlightError && e.code === grpc.status.NOT_FOUND && /version 1/.test(e.details));
    assert.equal(got.length, 0);
  });

  test('quiver maintain prints each step and a summary; files released by expiry are then collected', async () => {
    await sleep(400);
    const env = { QUIVER_SERVER: `grpc+tcp://${server.address}` };
    const r = await runCli(['maintain', 't'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^t: expired version 4; 1 manifests deleted, 4 data files left to orphan collection$/m);
    assert.match(r.stdout, /^t: not compacted: 1 small files \(under \d+ bytes\), fewer than 3$/m);
    assert.match(r.stdout, /^t: orphan collection: deleted 4 files \(.+\) and 0 dropped-table leftovers; kept 0 younger than the grace period$/m);
    assert.match(r.stdout, /^maintenance done in \d+\.\d\d s: 1 tables, 1 versions expired, 0 tables compacted, 0 converted, 4 files deleted/m);
    assert.deepEqual(await history(client, 't'), [5]);
    assert.equal(rowsOf(await client.readTable('t')).length, 4 + 3 * 6);

    const json = await runCli(['maintain', '--tasks', 'gc', '--json'], { env });
    assert.equal(json.code, 0, json.stderr);
    const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Json);
    assert.deepEqual(lines.map((l) => Object.keys(l)[0]), ['step', 'report']);
    assert.deepEqual(lines[1]!.report.tasks, ['gc']);

    const bad = await runCli(['maintain', '--tasks', 'vacuum'], { env });
    assert.equal(bad.code, 2);
    const missing = await runCli(['maintain', 'no-such-table'], { env });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /does not exist/);
  });

  test('a malformed maintenance request is INVALID_ARGUMENT', async () => {
    for (const body of ['{"tasks": ["vacuum"]}', '[1]', '{"table": 3}', '{"tasks": []}', 'not json']) {
      await assert.rejects(action(client, 'maintenance', body), (e: unknown) => e instanceof FlightError && e.code === grpc.status.INVALID_ARGUMENT, body);
    }
    assert.ok((await client.listActions()).some((a) => a.type === 'maintenance'));
  });
});

describe('the periodic maintenance loop', () => {
  let server: QuiverProcess;
  after(() => server.stop());

  test('a local-mode server expires superseded versions by itself', async () => {
    server = await startQuiver(['--retention', '100ms', '--maintenance-interval', '200ms']);
    const client = new FlightClient(`grpc+tcp://${server.address}`);
    try {
      await client.doPut('loop', sampleTable(1, 2));
      await client.doPut('loop', sampleTable(1, 2));
      const deadline = Date.now() + 20_000;
      while ((await history(client, 'loop')).length > 1 && Date.now() < deadline) await sleep(100);
      assert.deepEqual(await history(client, 'loop'), [2]);
      assert.match(server.stderr(), /expired versions/);
    } finally {
      client.close();
    }
  });
});
