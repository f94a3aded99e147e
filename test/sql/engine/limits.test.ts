// Cancellation, the time and memory limits and the concurrency bound actually stop DuckDB work,
// with the codes clients see, and the engine keeps serving afterwards. The 10M-row stream prints
// its peak RSS and checks every batch stays under the 4 MiB message budget.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { openDuckDbEngine } from '../../../src/sql/engine/duckdb-engine.ts';
import type { SqlEngine } from '../../../src/sql/engine/sql-engine.ts';
import { QuiverError } from '../../../src/errors.ts';
import { TestTables, collect } from './fixtures.ts';

const tables = new TestTables();
after(() => tables.cleanup());

const ENDLESS = 'SELECT count(*) AS n FROM range(1000000000) a, range(1000000000) b WHERE a.range + b.range = -1';

async function isCode(run: Promise<unknown>, code: string, pattern?: RegExp) {
  await assert.rejects(run, (e: unknown) => {
    assert.ok(e instanceof QuiverError, String(e));
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

async function stillServes(engine: SqlEngine) {
  const plan = await engine.plan('SELECT 41 + 1 AS x', tables);
  assert.deepEqual(await collect(plan.execute(null)), [{ x: 42 }]);
  await plan.close();
}

test('aborting the signal interrupts a running query with CANCELLED', { timeout: 60_000 }, async () => {
  const engine = await openDuckDbEngine({ dataRoot: tables.root });
  try {
    const plan = await engine.plan(ENDLESS, tables);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    await isCode(collect(plan.execute(null, { signal: ac.signal })), 'CANCELLED');
    await plan.close();
    await stillServes(engine);
  } finally {
    await engine.close();
  }
});

test('the time limit interrupts a query with DEADLINE_EXCEEDED', { timeout: 60_000 }, async () => {
  const engine = await openDuckDbEngine({ dataRoot: tables.root, timeLimitMs: 400 });
  try {
    const plan = await engine.plan(ENDLESS, tables);
    await isCode(collect(plan.execute(null)), 'DEADLINE_EXCEEDED', /time limit of 400 ms/);
    await plan.close();
    await stillServes(engine);
  } finally {
    await engine.close();
  }
});

test('a query over the memory limit fails with RESOURCE_EXHAUSTED and the engine keeps serving', { timeout: 120_000 }, async () => {
  const engine = await openDuckDbEngine({ dataRoot: tables.root, memoryLimitBytes: 64 * 1024 * 1024 });
  try {
    const plan = await engine.plan("SELECT count(DISTINCT 'x' || range::VARCHAR || repeat('y', 50)) AS n FROM range(20000000)", tables);
    await isCode(collect(plan.execute(null)), 'RESOURCE_EXHAUSTED', /memory limit of 67108864 bytes/);
    await plan.close();
    await stillServes(engine);
  } finally {
    await engine.close();
  }
});

test('concurrent queries are bounded: the rest wait in a short queue, then get UNAVAILABLE', { timeout: 60_000 }, async () => {
  const engine = await openDuckDbEngine({ dataRoot: tables.root, maxConcurrentQueries: 1 });
  try {
    const ac = new AbortController();
    const plans = await Promise.all([0, 1, 2, 3].map(() => engine.plan(ENDLESS, tables)));
    const runs = plans.map((p) => collect(p.execute(null, { signal: ac.signal })).then(() => 'done', (e: QuiverError) => e.code));
    const fourth = await runs[3];
    assert.equal(fourth, 'UNAVAILABLE');
    ac.abort();
    assert.deepEqual(await Promise.all(runs.slice(0, 3)), ['CANCELLED', 'CANCELLED', 'CANCELLED']);
    for (const p of plans) await p.close();
    await stillServes(engine);
  } finally {
    await engine.close();
  }
});

test('a 10M-row SELECT streams in batches under 4 MiB with bounded memory', { timeout: 300_000 }, async () => {
  const engine = await openDuckDbEngine({ dataRoot: tables.root });
  try {
    const plan = await engine.plan("SELECT range AS id, range * 0.5 AS val, 'name_' || (range % 1000)::VARCHAR || '_padded' AS name FROM range(10000000)", tables);
    let rows = 0;
    let bytes = 0;
    let maxBatch = 0;
    let peakRss = 0;
    const start = process.memoryUsage().rss;
    for await (const batch of plan.execute(null)) {
      rows += batch.numRows;
      const b = batch.data.children.reduce((n, c) => n + c.byteLength, 0);
      bytes += b;
      maxBatch = Math.max(maxBatch, b);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    await plan.close();
    console.log(`10M rows: ${(bytes / 2 ** 20).toFixed(0)} MiB of Arrow, largest batch ${(maxBatch / 2 ** 20).toFixed(2)} MiB, RSS ${(start / 2 ** 20).toFixed(0)} -> peak ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
    assert.equal(rows, 10_000_000);
    assert.ok(maxBatch <= 4 * 2 ** 20, `largest batch ${maxBatch} bytes`);
  } finally {
    await engine.close();
  }
});

test('the time limit and the concurrency bound are read per query, so they can change while the engine runs', { timeout: 60_000 }, async () => {
  const live = { timeLimitMs: 0, maxConcurrentQueries: 1 };
  const engine = await openDuckDbEngine({
    dataRoot: tables.root,
    get timeLimitMs() { return live.timeLimitMs; },
    get maxConcurrentQueries() { return live.maxConcurrentQueries; },
  });
  try {
    live.timeLimitMs = 300;
    const plan = await engine.plan(ENDLESS, tables);
    await isCode(collect(plan.execute(null)), 'DEADLINE_EXCEEDED', /time limit of 300 ms/);
    await plan.close();
    // One running, two waiting (twice the bound), the fourth refused; raised, four are admitted.
    live.timeLimitMs = 1500;
    const plans = await Promise.all([0, 1, 2, 3].map(() => engine.plan(ENDLESS, tables)));
    const runs = plans.slice(0, 3).map((p) => collect(p.execute(null)).catch((e: unknown) => e));
    await new Promise((r) => setTimeout(r, 100));
    await isCode(collect(plans[3]!.execute(null)), 'UNAVAILABLE');
    await Promise.all(runs);
    live.maxConcurrentQueries = 4;
    live.timeLimitMs = 600;
    const started = Date.now();
    const all = await Promise.all(plans.map((p) => collect(p.execute(null)).catch((e: unknown) => e)));
    for (const e of all) assert.ok(e instanceof QuiverError && e.code === 'DEADLINE_EXCEEDED', String(e));
    // Run at once, not one after another (that would take 4 x 600 ms).
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    for (const p of plans) await p.close();
    await stillServes(engine);
  } finally {
    await engine.close();
  }
});
