// A server SIGKILLed in the middle of converting a table's landed Arrow IPC files to Parquet:
// the version before the conversion is intact (same rows, same batches, still readable), and a
// restarted server's background conversion starts again and settles the table into Parquet.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { Int64, Utf8, Table, vectorFromArray, type RecordBatch } from 'apache-arrow';
import { AdminClient, FlightClient } from '../../src/client/index.ts';
import { startQuiver, tempDir, type QuiverProcess } from '../harness/quiver-process.ts';
import { rowsOf } from '../harness/flight-tables.ts';

const servers: QuiverProcess[] = [];
after(async () => {
  for (const s of servers) await s.stop('SIGKILL');
});

function bigTable(batches: number, rows: number): Table {
  const out: RecordBatch[] = [];
  for (let b = 0; b < batches; b++) {
    const ids = Array.from({ length: rows }, (_, i) => b * rows + i);
    out.push(new Table({ id: vectorFromArray(ids.map(BigInt), new Int64()), name: vectorFromArray(ids.map((i) => `name-${i}-${'x'.repeat(i % 17)}`), new Utf8()) }).batches[0]!);
  }
  return new Table(out);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('SIGKILL mid-conversion leaves the landed version intact, and the restarted server converts the table', async () => {
  const data = tempDir('quiver-convert-crash-');
  // Small files, so that the conversion round is long enough to be killed in.
  const flags = ['--row-group-rows', '20000', '--log-level', 'warn'];
  const first = await startQuiver([...flags, '--convert-paused', 'true'], data);
  servers.push(first);
  const table = bigTable(24, 10_000);
  let client = new FlightClient(`grpc+tcp://${first.address}`);
  await client.doPut('t', table);
  const landed = (await new AdminClient(client).history('t')).at(-1)!;
  assert.deepEqual(landed.formats, ['arrow-stream']);
  assert.ok((landed.landed_files ?? 0) >= 12, JSON.stringify(landed));

  // The maintenance action converts despite the pause; kill the server once the first Parquet
  // file of the round is on disk (or its temporary file), before the round commits.
  const tables = path.join(data, 'tables');
  const dataDir = fs.readdirSync(tables).find((d) => fs.existsSync(path.join(tables, d, 'data')));
  assert.ok(dataDir, 'the table directory exists');
  const files = path.join(tables, dataDir, 'data');
  const action = (async () => {
    for await (const _ of new AdminClient(client).maintenance({ table: 't', tasks: ['convert'] })) { /* progress */ }
  })().catch(() => undefined);
  for (let i = 0; i < 600 && !fs.readdirSync(files).some((f) => f.includes('parquet')); i++) await sleep(10);
  await first.stop('SIGKILL');
  await action;
  client.close();

  const second = await startQuiver([...flags, '--convert-paused', 'false'], data);
  servers.push(second);
  client = new FlightClient(`grpc+tcp://${second.address}`);
  const admin = new AdminClient(client);
  // The version the kill interrupted the conversion of is there and reads as it was put.
  const history = await admin.history('t');
  assert.equal(history[0]!.version, landed.version);
  assert.deepEqual(history[0]!.formats, ['arrow-stream']);
  const before = await client.readTable('t');
  assert.deepEqual(rowsOf(before), rowsOf(table));
  // The background conversion of the restarted leader finishes the job.
  let head = history.at(-1)!;
  for (let i = 0; i < 600 && !(head.operation === 'convert' && !head.landed_files); i++) {
    await sleep(100);
    head = (await admin.history('t')).at(-1)!;
  }
  assert.equal(head.operation, 'convert', JSON.stringify(head));
  assert.deepEqual(head.formats, ['parquet']);
  assert.equal(head.landed_files, undefined);
  const converted = await client.readTable('t');
  assert.deepEqual(converted.batches.map((b) => b.numRows), table.batches.map((b) => b.numRows));
  assert.deepEqual(rowsOf(converted), rowsOf(table));
  client.close();
});
