// DoExchange answers are bounded: input keys that each match a large share of a table are
// RESOURCE_EXHAUSTED with a message (found while counting matches, before any answer is built),
// and the server goes on answering lookups that fit. Concurrent index builds share one budget:
// a build that does not fit beside those under way waits for them, never holding more.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { tableFromArrays } from 'apache-arrow';
import { decodeSchema, inspectMessage } from '../../src/arrow/ipc-message.ts';
import { LocalCoordinator } from '../../src/coord/local-coordinator.ts';
import { KeyIndexCache, type IndexSpec } from '../../src/storage/key-index.ts';
import type { StagedBatch } from '../../src/storage/file-stager.ts';
import { TableStore } from '../../src/storage/table-store.ts';
import type { FlightDataMessage } from '../../src/wire/flight-data.ts';
import { cmdDescriptor, framesOf, pathDescriptor, putMessages } from '../harness/arrow-frames.ts';
import { startQuiver, tempDir, type QuiverProcess } from '../harness/quiver-process.ts';
import { rawClient, rawPut, type RawClient } from '../harness/raw-flight-client.ts';

const ROWS = 100_000;

function exchange(client: RawClient, keys: number[]): Promise<{ rows: number; error: grpc.ServiceError | null }> {
  const frames = framesOf(tableFromArrays({ k: Int32Array.from(keys) }));
  const messages: FlightDataMessage[] = frames.map((f, i) => ({ ...(i === 0 ? { descriptor: cmdDescriptor({ table: 'skewed', key: 'k' }) } : {}), header: f.header, body: f.body }));
  return new Promise((resolve) => {
    const call = client.DoExchange() as grpc.ClientDuplexStream<FlightDataMessage, FlightDataMessage>;
    let rows = 0;
    call.on('data', (m: FlightDataMessage) => {
      if (m.header.byteLength === 0) return;
      const info = inspectMessage(m.header);
      if (info.kind === 'recordBatch') rows += info.rows;
    });
    call.on('error', (error: grpc.ServiceError) => resolve({ rows, error }));
    call.on('end', () => resolve({ rows, error: null }));
    for (const m of messages) call.write(m);
    call.end();
  });
}

describe('a DoExchange answer has a bounded size', () => {
  let server: QuiverProcess;
  let client: RawClient;
  before(async () => {
    server = await startQuiver(['--max-lookup-answer-rows', '20000']);
    client = rawClient(server.address);
    // Key 0 matches every other row (50,000); key 1 matches 10 rows.
    const k = Int32Array.from({ length: ROWS }, (_, i) => (i % 2 === 0 ? 0 : i < 20 ? 1 : i));
    const put = await rawPut(client, putMessages(pathDescriptor('skewed'), framesOf(tableFromArrays({ k, v: Float64Array.from({ length: ROWS }, (_, i) => i) }))));
    assert.equal(put.error, null);
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });

  test('keys matching a large share of the table are RESOURCE_EXHAUSTED with a message; smaller lookups go on', async () => {
    const refused = await exchange(client, [1, 0, 0, 0]);
    assert.equal(refused.error?.code, grpc.status.RESOURCE_EXHAUSTED, String(refused.error));
    assert.match(refused.error!.details, /a lookup batch of 4 keys matches more than 20000 rows of table "skewed" version 1, key k .*raise --max-lookup-answer-rows/);
    const ok = await exchange(client, [1, 1, 21]);
    assert.equal(ok.error, null);
    assert.equal(ok.rows, 10 + 10 + 1);
  });
});

describe('concurrent index builds share the lookup index budget', () => {
  let root: string;
  let store: TableStore;
  before(async () => {
    root = tempDir('quiver-limits-index-');
    store = new TableStore(root, new LocalCoordinator(path.join(root, 'log')), { compression: 'zstd', rowGroupRows: 10_000, maxBufferedBytes: 1 << 20 }, { parquetWorkers: 1 });
    for (const name of ['a', 'b', 'c']) {
      const frames = framesOf(tableFromArrays({ id: Int32Array.from({ length: 20_000 }, (_, i) => i) }));
      const write = await store.beginWrite(name, 'create', frames[0]!.header, decodeSchema(frames[0]!.header));
      for (const frame of frames.slice(1)) await write.add({ frame, info: inspectMessage(frame.header) as StagedBatch['info'] });
      await write.commit();
    }
  });
  after(async () => {
    await store?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('three builds that fit the budget one or two at a time never hold more than it together', async () => {
    const specs: IndexSpec[] = [];
    for (const name of ['a', 'b', 'c']) {
      const manifest = await store.snapshot(name);
      specs.push({ id: name, describe: `table ${name}`, manifest, keyColumns: [0] });
    }
    const one = KeyIndexCache.estimate(specs[0]!.manifest);
    const cache = new KeyIndexCache(() => store, Math.floor(one * 1.5), '--lookup-index-bytes');
    let peak = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        peak = Math.max(peak, cache.heldBytes);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const signal = new AbortController().signal;
    const built = specs.map((s) => cache.acquire(s, signal));
    peak = Math.max(peak, cache.heldBytes); // right after all three asked
    const indexes = await Promise.all(built);
    watching = false;
    await watch;
    assert.equal(indexes.length, 3);
    assert.ok(peak > 0 && peak <= cache.maxBytes, `held ${peak} bytes at most, budget ${cache.maxBytes}`);
  });
});
