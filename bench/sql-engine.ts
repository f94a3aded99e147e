// Benchmark of the SQL engine alone (no gRPC): SELECT * throughput in MB/s of Arrow produced, and
// a group-by, against DuckDB in-process on the same Parquet file (materialized result, and for the
// scan, the raw chunk pull that every Node consumer of DuckDB pays), and the engine with every
// result streamed (materializeMaxCells 0: what result-mode.ts chooses against). Prints medians of
// interleaved runs, wall and CPU (all threads of this process); asserts nothing. Run: node --import tsx bench/sql-engine.ts [rows]   (default 5,000,000)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Field, Float64, Int64, Schema, Utf8 } from 'apache-arrow';
import { openDuckDbEngine } from '../src/sql/engine/duckdb-engine.ts';
import type { PinnedTable } from '../src/sql/engine/sql-engine.ts';

const rows = Number(process.argv[2] ?? 5_000_000);
const runs = 3;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-sql-bench-'));
const dir = path.join(root, 'tables', 'bench', 'data');
fs.mkdirSync(dir, { recursive: true });
const file = path.join(dir, 'f1.parquet');

const direct = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
const con = await direct.connect();
// Several row groups per file so DuckDB can scan with both cores, as the storage notes advise.
await con.run(`COPY (SELECT range AS id, (range * 7919 % 100000) / 100.0 AS val, 'name_' || (range % 1000)::VARCHAR AS name FROM range(${rows}))
  TO '${file}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)`);
const engine = await openDuckDbEngine({ dataRoot: root });
const streaming = await openDuckDbEngine({ dataRoot: root, materializeMaxCells: 0 });
// The stored schema, as the resolver would give it (the engine's view takes its column names).
const schema = new Schema([new Field('id', new Int64()), new Field('val', new Float64()), new Field('name', new Utf8())]);
const resolver = {
  async resolve(name: string): Promise<PinnedTable> {
    return { name, version: 1, files: [{ path: file, format: 'parquet', rows }], schema };
  },
};

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function engineRun(sql: string, on = engine): Promise<{ ms: number; bytes: number; rows: number }> {
  const t = performance.now();
  const plan = await on.plan(sql, resolver);
  let bytes = 0;
  let n = 0;
  for await (const b of plan.execute(null)) {
    n += b.numRows;
    bytes += b.data.children.reduce((s, c) => s + c.byteLength, 0);
  }
  await plan.close();
  return { ms: performance.now() - t, bytes, rows: n };
}

async function directMaterialized(sql: string): Promise<number> {
  const t = performance.now();
  await con.run(sql);
  return performance.now() - t;
}

async function directChunkPull(sql: string): Promise<number> {
  const t = performance.now();
  const result = await (await con.prepare(sql)).stream();
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
  }
  return performance.now() - t;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const viaView = (q: string) => q.replaceAll('{t}', 'bench');
const viaFile = (q: string) => q.replaceAll('{t}', `read_parquet('${file}')`);

const queries: { name: string; sql: string }[] = [
  { name: 'SELECT *', sql: 'SELECT * FROM {t}' },
  { name: 'GROUP BY name', sql: 'SELECT name, count(*) AS n, sum(val) AS s FROM {t} GROUP BY name' },
  { name: 'filter id % 1000 = 0', sql: 'SELECT * FROM {t} WHERE id % 1000 = 0' },
  // Pushed into the Parquet scan: one chunk of about 2 rows per 2,048 scanned when streamed.
  { name: "filter name = 'name_42'", sql: "SELECT id, val FROM {t} WHERE name = 'name_42'" },
];

console.log(`rows ${rows}, Parquet ${(fs.statSync(file).size / 2 ** 20).toFixed(1)} MiB, ${runs} interleaved runs, medians; node ${process.version}, ${os.cpus().length} cores`);
for (const q of queries) {
  const eng: number[] = [];
  const engCpu: number[] = [];
  const str: number[] = [];
  const strCpu: number[] = [];
  const mat: number[] = [];
  const matCpu: number[] = [];
  const pull: number[] = [];
  let bytes = 0;
  for (let r = 0; r < runs; r++) {
    let c = cpuMs();
    const e = await engineRun(viaView(q.sql));
    engCpu.push(cpuMs() - c);
    eng.push(e.ms);
    bytes = e.bytes;
    c = cpuMs();
    str.push((await engineRun(viaView(q.sql), streaming)).ms);
    strCpu.push(cpuMs() - c);
    c = cpuMs();
    mat.push(await directMaterialized(viaFile(q.sql)));
    matCpu.push(cpuMs() - c);
    pull.push(await directChunkPull(viaFile(q.sql)));
  }
  const mbps = bytes / 1e6 / (median(eng) / 1000);
  console.log(`${q.name.padEnd(24)} engine ${median(eng).toFixed(0).padStart(6)} ms, CPU ${median(engCpu).toFixed(0)} ms (${(bytes / 2 ** 20).toFixed(0)} MiB Arrow, ${mbps.toFixed(0)} MB/s)` +
    ` | engine, all streamed ${median(str).toFixed(0).padStart(6)} ms, CPU ${median(strCpu).toFixed(0)} ms` +
    ` | DuckDB materialized ${median(mat).toFixed(0).padStart(6)} ms, CPU ${median(matCpu).toFixed(0)} ms | DuckDB chunk pull ${median(pull).toFixed(0).padStart(6)} ms` +
    ` | engine/materialized ${(median(mat) / median(eng)).toFixed(2)}x`);
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
await engine.close();
await streaming.close();
con.closeSync();
direct.closeSync();
fs.rmSync(root, { recursive: true, force: true });
