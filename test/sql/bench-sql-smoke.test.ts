// `npm run bench:sql` keeps working: bench/sql.py runs end to end on tiny tables (a server of its
// own, ADBC, DoGet, in-process DuckDB), finds both engines' results equal before timing, and
// prints its table, with --ipc also over an unconverted (Arrow IPC-stored) copy of the tables.
// It asserts no timing (the benchmark is never run in CI, only this smoke run), and uses the
// installed Python duckdb so that it downloads nothing.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const root = path.resolve(import.meta.dirname, '..', '..');

test('bench/sql.py runs every query on tiny tables and prints the comparison', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-bench-sql-smoke-'));
  try {
    const out = path.join(dir, 'results.json');
    const { stdout } = await promisify(execFile)('python3', [
      path.join(root, 'bench', 'sql.py'), '--quick', '--rows', '5000', '--customers', '200', '--runs', '1', '--duckdb', 'installed', '--ipc', '--out', out,
    ], { cwd: root, timeout: 120_000 });
    const results = JSON.parse(fs.readFileSync(out, 'utf8')) as { results: { query: string; rows: number; quiver_ipc_ms?: number }[]; select_star_mb_s: Record<string, number> };
    assert.deepEqual(results.results.map((r) => r.query),
      ['filter-count', 'filter-rows', 'filter-range', 'group-region', 'group-day', 'group-customer', 'join', 'window', 'top-n', 'select-star']);
    assert.equal(results.results.find((r) => r.query === 'select-star')!.rows, 5000);
    // --ipc: every query but SELECT * also ran on the Arrow IPC-stored copy (its result checked equal first).
    for (const r of results.results) assert.equal(r.quiver_ipc_ms !== undefined, r.query !== 'select-star', r.query);
    for (const key of ['sql', 'sql_pyarrow', 'doget_cold', 'doget_hot', 'duckdb']) assert.ok(results.select_star_mb_s[key]! > 0, key);
    assert.match(stdout, /^select-star +5,000 /m);
    assert.match(stdout, /target: Flight SQL \(ADBC\) >= 0\.7x of DoGet cold/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
