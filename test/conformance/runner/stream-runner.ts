// JSON mode for the clients that cannot read Arrow's integration JSON (pyarrow, quiver/client):
// the same case's data as the corpus's Arrow IPC stream (the .stream twin of each .json.gz),
// uploaded with DoPut and read back with GetFlightInfo + DoGet. One quiver server and one client
// process per client cover every case (each case in its own table), since starting a client
// (a Python interpreter, Node with tsx) costs more than the case; the client reports one JSON
// line per case.
import fs from 'node:fs';
import path from 'node:path';
import { CANNOT_RUN, type ClientId } from '../client-limits.ts';
import { clientCommand } from './clients.ts';
import { run, type Server } from './processes.ts';
import type { CaseResult } from './results.ts';

export interface StreamCase { name: string; stream: string }

export interface StreamRun {
  client: ClientId;
  cases: StreamCase[];
  tmp: string;
  timeoutMs: number;
  startQuiver(dataDir: string): Promise<Server>;
}

export async function runStreamClient(o: StreamRun): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const todo = o.cases.filter((c) => {
    const limit = CANNOT_RUN[o.client][c.name];
    if (limit) results.push({ case: c.name, client: o.client, outcome: 'cannot-run', reason: limit });
    return !limit;
  });
  if (todo.length === 0) return results;
  const dataDir = fs.mkdtempSync(path.join(o.tmp, `data-${o.client}-`));
  let server: Server;
  try {
    server = await o.startQuiver(dataDir);
  } catch (e) {
    const reason = `server did not start: ${(e as Error).message.split('\n')[0]}`;
    return [...results, ...todo.map((c) => ({ case: c.name, client: o.client, outcome: 'fail' as const, reason }))];
  }
  const casesFile = path.join(o.tmp, `cases-${o.client}.json`);
  fs.writeFileSync(casesFile, JSON.stringify(todo));
  const t0 = Date.now();
  // Every case gets the per-run time limit (the client runs them one after another).
  const p = await run(clientCommand(o.client, server.port, { streams: casesFile }), o.timeoutMs * Math.max(1, Math.ceil(todo.length / 4)));
  const seconds = Math.round((Date.now() - t0) / 100) / 10;
  const serverLog = await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  const reported = new Map<string, { outcome: 'pass' | 'fail'; reason?: string }>();
  for (const line of p.output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const r = JSON.parse(line) as { case: string; outcome: 'pass' | 'fail'; reason?: string };
      reported.set(r.case, r);
    } catch { /* not a result line */ }
  }
  const each = Math.round((seconds / todo.length) * 10) / 10;
  for (const c of todo) {
    const r = reported.get(c.name);
    if (r?.outcome === 'pass') results.push({ case: c.name, client: o.client, outcome: 'pass', seconds: each });
    else {
      results.push({
        case: c.name, client: o.client, outcome: 'fail', seconds: each,
        reason: r?.reason ?? (p.timedOut ? 'timed out' : `the client reported nothing for this case (exit ${p.code}): ${p.output.trim().split('\n').at(-1) ?? ''}`),
        output: p.output.slice(-8000),
        serverLog: serverLog.slice(-4000),
      });
    }
  }
  return results;
}
