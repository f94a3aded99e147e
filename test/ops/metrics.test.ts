// --metrics-port: a real `quiver serve` scraped over HTTP before and after a workload through
// quiver/client (DoPut, DoGet twice, a failing GetFlightInfo); every scrape must parse with a
// strict Prometheus text parser, and each counter must have moved by what the workload did.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Table, makeVector } from 'apache-arrow';
import { FlightClient } from '../../src/client/index.ts';
import { sampleTable } from '../harness/flight-tables.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';
import { parsePrometheusText, valueOf, type Family } from './prometheus-text.ts';

const FLIGHT = 'arrow.flight.protocol.FlightService';
const method = (grpc_method: string, grpc_type: string) => ({ grpc_service: FLIGHT, grpc_method, grpc_type });

async function scrape(port: number): Promise<Map<string, Family>> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

describe('metrics', () => {
  let proc: QuiverProcess;
  let port: number;
  before(async () => {
    proc = await startQuiver(['--metrics-port', '0']);
    const line = proc.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; port?: number }).find((l) => l.msg === 'metrics');
    assert.ok(line?.port, `the metrics port is logged:\n${proc.stderr()}`);
    port = line.port;
  });
  after(async () => {
    await proc?.stop('SIGKILL');
  });

  test('the gRPC, process and quiver counters move by what a DoPut, two DoGets and a failed call did', async () => {
    const before = await scrape(port);
    const client = new FlightClient(`grpc+tcp://${proc.address}`);
    try {
      await client.doPut('metered', sampleTable(3, 4));
      const first = await client.readTable('metered');
      const second = await client.readTable('metered');
      assert.equal(first.numRows, 12);
      assert.equal(second.numRows, 12);
      await assert.rejects(client.getFlightInfo('no such table'));
    } finally {
      client.close();
    }
    const now = await scrape(port);
    const delta = (name: string, labels: Record<string, string> = {}) => valueOf(now, name, labels) - valueOf(before, name, labels);

    const put = method('DoPut', 'bidi_stream');
    const get = method('DoGet', 'server_stream');
    const info = method('GetFlightInfo', 'unary');
    assert.equal(delta('grpc_server_started_total', put), 1);
    assert.equal(delta('grpc_server_handled_total', { ...put, grpc_code: 'OK' }), 1);
    assert.equal(delta('grpc_server_handling_seconds_count', put), 1);
    // Schema + 3 record batches in, one PutResult per batch out.
    assert.equal(delta('grpc_server_msg_received_total', put), 4);
    assert.equal(delta('grpc_server_msg_sent_total', put), 3);
    assert.equal(delta('grpc_server_started_total', get), 2);
    assert.equal(delta('grpc_server_handled_total', { ...get, grpc_code: 'OK' }), 2);
    assert.ok(delta('grpc_server_msg_sent_total', get) >= 8, 'each DoGet sends the schema and the batches');
    // readTable asks GetFlightInfo first (twice), then the missing table fails NotFound.
    assert.equal(delta('grpc_server_handled_total', { ...info, grpc_code: 'OK' }), 2);
    assert.equal(delta('grpc_server_handled_total', { ...info, grpc_code: 'NotFound' }), 1);
    const le = now.get('grpc_server_handling_seconds')!.samples.filter((s) => s.name.endsWith('_bucket') && s.labels.grpc_method === 'DoPut').map((s) => s.labels.le);
    assert.deepEqual(le, ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf']);

    assert.ok(delta('quiver_grpc_received_bytes_total', { grpc_service: FLIGHT, grpc_method: 'DoPut' }) > 12 * 8, 'DoPut bytes in');
    assert.ok(delta('quiver_grpc_sent_bytes_total', { grpc_service: FLIGHT, grpc_method: 'DoGet' }) > 2 * 12 * 8, 'DoGet bytes out');

    assert.equal(delta('quiver_commits_total', { operation: 'create' }), 1);
    assert.equal(delta('quiver_committed_rows_total'), 12);
    assert.ok(delta('quiver_committed_bytes_total') > 0);
    assert.equal(delta('quiver_commit_duration_seconds_count'), 1);
    assert.equal(delta('quiver_commit_failures_total', { reason: 'conflict' }), 0);
    // The first read decodes the version's files, the second finds them in the cache.
    assert.ok(delta('quiver_cache_misses_total') >= 1, 'first read misses');
    assert.equal(delta('quiver_cache_hits_total'), delta('quiver_cache_misses_total'), 'second read hits each file the first missed');
    assert.ok(valueOf(now, 'quiver_cache_bytes') > 0);
    assert.equal(valueOf(now, 'quiver_leader'), 1);
    assert.equal(valueOf(now, 'quiver_cluster_members'), 1);
    assert.equal(valueOf(now, 'quiver_health_serving', { service: '' }), 1);
    assert.ok(now.has('quiver_parquet_queue_length') && now.has('quiver_parquet_workers_busy'));

    // Node's process metrics (prom-client's collectDefaultMetrics).
    assert.ok(valueOf(now, 'process_cpu_user_seconds_total') > 0);
    assert.ok(valueOf(now, 'nodejs_heap_size_used_bytes') > 0);
    for (const f of now.values()) {
      for (const s of f.samples) assert.ok(!Object.values(s.labels).includes('metered'), `no table name as a label (${s.name})`);
    }
  });

  test('DoExchange lookups count their keys and the index memory shows', async () => {
    const before = await scrape(port);
    const client = new FlightClient(`grpc+tcp://${proc.address}`);
    try {
      await client.doPut('looked-up', sampleTable(2, 50));
      const exchange = client.doExchange({ type: 'CMD', cmd: Buffer.from(JSON.stringify({ table: 'looked-up', key: 'id' })) });
      await exchange.write(new Table({ id: makeVector(Int32Array.from([1, 2, 3, 999])) }).batches[0]!);
      await exchange.write(new Table({ id: makeVector(Int32Array.from([4, 5])) }).batches[0]!);
      exchange.end();
      let found = 0;
      for await (const batch of exchange) found += batch.numRows;
      assert.equal(found, 5);
    } finally {
      client.close();
    }
    const now = await scrape(port);
    assert.equal(valueOf(now, 'quiver_lookup_keys_total') - valueOf(before, 'quiver_lookup_keys_total'), 6);
    assert.equal(valueOf(now, 'quiver_lookup_batches_total') - valueOf(before, 'quiver_lookup_batches_total'), 2);
    assert.ok(valueOf(now, 'quiver_lookup_index_bytes') > 0);
    assert.equal(valueOf(now, 'grpc_server_handled_total', { ...method('DoExchange', 'bidi_stream'), grpc_code: 'OK' }) - valueOf(before, 'grpc_server_handled_total', { ...method('DoExchange', 'bidi_stream'), grpc_code: 'OK' }), 1);
  });

  test('maintenance runs are counted', async () => {
    const before = await scrape(port);
    const client = new FlightClient(`grpc+tcp://${proc.address}`);
    try {
      for await (const _ of client.doAction('maintenance', '{}')) void _;
    } finally {
      client.close();
    }
    const now = await scrape(port);
    assert.equal(valueOf(now, 'quiver_maintenance_runs_total', { trigger: 'action' }) - valueOf(before, 'quiver_maintenance_runs_total', { trigger: 'action' }), 1);
  });

  test('without --metrics-port there is no metrics endpoint', async () => {
    const plain = await startQuiver();
    try {
      assert.doesNotMatch(plain.stderr(), /"msg":"metrics"/);
    } finally {
      await plain.stop('SIGKILL');
    }
  });
});
