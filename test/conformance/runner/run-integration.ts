#!/usr/bin/env -S node --import tsx
// Runs the Arrow project's own Flight integration clients (arrow-go, Arrow Java), pyarrow.flight
// and quiver's own TypeScript client in JSON mode against the real quiver server, over every
// .json.gz of the arrow-ipc corpus (pyarrow and quiver/client use each case's .stream twin: they
// cannot read the integration JSON), and in scenario mode against the scenario server
// (test/conformance/scenario-server).
//
//   node --import tsx test/conformance/runner/run-integration.ts [options]
//
// Options:
//   --clients go,java,python,ts,go-readback   which clients (default: all)
//   --modes json,scenario           which modes (default: both)
//   --cases SUBSTR[,SUBSTR]         only corpus cases whose name contains one of these
//   --scenarios SUBSTR[,SUBSTR]     only scenarios whose name contains one of these
//   --corpus DIR                    corpus root (default $QUIVER_CORPUS or <repo>/../shared/corpus/arrow-ipc)
//   --quiver DIR                    quiver checkout whose bin/quiver.js is served (default: this repo)
//   --out FILE                      results JSON (default .cache/conformance/integration-results.json)
//   --markdown FILE                 also write the table as Markdown
//   --timeout SECONDS               per client run (default 120)
//   --jobs N                        client runs at once, each with its own server (default 1)
//   --no-setup                      do not run scripts/conformance/setup.sh first
//   --write-readme                  put the table into docs/conformance.md between the conformance markers
//   --check                         also fail when docs/conformance.md's table differs from this run's
//                                   (only meaningful for a full run: all clients, modes, cases)
//
// Every client run gets a fresh quiver server (loopback, free port, temporary data directory),
// started with `serve --host 127.0.0.1 --port 0` and read from its first stdout line
// ("Server listening on localhost:PORT", the archery convention). Exit status: 0 when every
// applicable case passed, 1 otherwise.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { CANNOT_RUN, CLIENTS, SCENARIO_CLIENTS, SCENARIO_NAMES, STREAM_CLIENTS, ownScenarioClient, type ClientId } from '../client-limits.ts';
import { cache, clientCommand, installed, repo, scenarioClientInstalled } from './clients.ts';
import { run, startServer, type Server } from './processes.ts';
import { runScenario, scenarioCase, scenarioLimit } from './scenario-runner.ts';
import { runStreamClient } from './stream-runner.ts';
import { README_BEGIN, README_END, mark, mergeIntoTable, readmeSection, replaceReadmeSection } from './readme-table.ts';
import type { CaseResult, Outcome, RunReport } from './results.ts';

export type { CaseResult, Outcome, RunReport } from './results.ts';


interface Options {
  clients: ClientId[];
  modes: ('json' | 'scenario')[];
  cases: string[];
  scenarios: string[];
  corpus: string;
  quiver: string;
  out: string;
  markdown?: string;
  timeoutMs: number;
  jobs: number;
  setup: boolean;
  writeReadme: boolean;
  check: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    clients: CLIENTS.map((c) => c.id),
    modes: ['json', 'scenario'],
    cases: [],
    scenarios: [],
    corpus: process.env.QUIVER_CORPUS ?? path.resolve(repo, '../shared/corpus/arrow-ipc'),
    quiver: repo,
    out: path.join(cache, 'conformance', 'integration-results.json'),
    timeoutMs: 120_000,
    jobs: 1,
    setup: true,
    writeReadme: false,
    check: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--clients': o.clients = val().split(',').filter(Boolean) as ClientId[]; break;
      case '--modes': o.modes = val().split(',').filter(Boolean) as Options['modes']; break;
      case '--cases': o.cases = val().split(',').filter(Boolean); break;
      case '--scenarios': o.scenarios = val().split(',').filter(Boolean); break;
      case '--corpus': o.corpus = path.resolve(val()); break;
      case '--quiver': o.quiver = path.resolve(val()); break;
      case '--out': o.out = path.resolve(val()); break;
      case '--markdown': o.markdown = path.resolve(val()); break;
      case '--timeout': o.timeoutMs = Number(val()) * 1000; break;
      case '--jobs': o.jobs = Math.max(1, Number(val())); break;
      case '--no-setup': o.setup = false; break;
      case '--write-readme': o.writeReadme = true; break;
      case '--check': o.check = true; break;
      default: throw new Error(`unknown option ${a}`);
    }
  }
  for (const c of o.clients) if (!CLIENTS.some((k) => k.id === c)) throw new Error(`unknown client ${c}`);
  for (const m of o.modes) if (m !== 'json' && m !== 'scenario') throw new Error(`unknown mode ${m}`);
  return o;
}

// ---------------------------------------------------------------------------------------------
// Servers

function startQuiver(quiverRoot: string, dataDir: string): Promise<Server> {
  return startServer('quiver', [process.execPath, path.join(quiverRoot, 'bin/quiver.js'), 'serve', '--host', '127.0.0.1', '--port', '0', '--data', dataDir, '--log-level', 'warn'], quiverRoot);
}

// ---------------------------------------------------------------------------------------------
// Corpus

interface Case { name: string; json: string; stream: string }

function prepareCorpus(corpus: string, filters: string[], tmp: string): Case[] {
  if (!fs.existsSync(corpus)) throw new Error(`corpus not found: ${corpus} (set QUIVER_CORPUS or --corpus)`);
  const files = (fs.readdirSync(corpus, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((f) => f.endsWith('.json.gz')).sort();
  const cases: Case[] = [];
  for (const rel of files) {
    const name = rel.replace(/\.json\.gz$/, '').split(path.sep).join('/');
    if (filters.length && !filters.some((f) => name.includes(f))) continue;
    const json = path.join(tmp, 'json', rel.replace(/\.gz$/, ''));
    fs.mkdirSync(path.dirname(json), { recursive: true });
    fs.writeFileSync(json, zlib.gunzipSync(fs.readFileSync(path.join(corpus, rel))));
    cases.push({ name, json, stream: path.join(corpus, rel.replace(/\.json\.gz$/, '.stream')) });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// One run

/** The most telling line of a failed client run. */
export function failureReason(id: ClientId, output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  if (id === 'go' || id === 'go-readback') {
    const at = lines.findIndex((l) => l.startsWith('panic:'));
    if (at >= 0) {
      // A multi-line panic (arrow-go prints both schemas of a mismatch) runs up to the goroutine dump.
      const end = lines.findIndex((l, i) => i > at && l.startsWith('goroutine '));
      const text = lines.slice(at, end < 0 ? at + 1 : end).join(' ').replace(/^panic:\s*/, '');
      return text.length > 1500 ? `${text.slice(0, 1500)}…` : text;
    }
  }
  if (id === 'java') {
    // fatalError prints a headline ("Unknown error", "Error accessing files") then e.getMessage().
    const head = lines.findIndex((l) => /^(Unknown error|Error accessing files|Invalid parameters)$/.test(l));
    // slf4j-simple prints the stack trace: its last "Caused by" is usually the real reason.
    const cause = lines.filter((l) => l.startsWith('Caused by: ')).at(-1);
    if (head >= 0) return lines.slice(head, head + 2).join(': ') + (cause ? ` (${cause.replace(/^Caused by: /, '')})` : '');
  }
  const last = lines.filter((l) => !l.startsWith('Opening JSON file') && !l.startsWith('Verifying location')).at(-1);
  return last ?? '(no output)';
}

/**
 * One server, then each client of the group in turn against it (a group is one client, or
 * arrow-go followed by its read-back check, which needs the table arrow-go uploaded).
 */
async function runGroup(o: Options, c: Case, group: ClientId[], tmp: string): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const todo = group.filter((id) => {
    const limit = CANNOT_RUN[id][c.name];
    if (limit) results.push({ case: c.name, client: id, outcome: 'cannot-run', reason: limit });
    return !limit;
  });
  if (todo.length === 0) return results;
  const dataDir = fs.mkdtempSync(path.join(tmp, `data-${todo[0]}-`));
  let server: Server;
  try {
    server = await startQuiver(o.quiver, dataDir);
  } catch (e) {
    const reason = `server did not start: ${(e as Error).message.split('\n')[0]}`;
    return [...results, ...todo.map((id) => ({ case: c.name, client: id, outcome: 'fail' as const, reason, output: String(e) }))];
  }
  const failed: CaseResult[] = [];
  let upstreamFailed = false;
  for (const id of todo) {
    if (upstreamFailed) {
      results.push({ case: c.name, client: id, outcome: 'fail', reason: `not checked: the ${group[0]} client failed first` });
      continue;
    }
    const t0 = Date.now();
    const cmd = clientCommand(id, server.port, { json: c.json, stream: c.stream });
    const p = await run(cmd, o.timeoutMs);
    const seconds = Math.round((Date.now() - t0) / 100) / 10;
    if (p.timedOut || p.code !== 0) {
      const shown = cmd.map((a) => (a.length > 120 ? a.slice(0, 60) + '…' : a)).join(' ');
      const r: CaseResult = { case: c.name, client: id, outcome: 'fail', seconds,
        reason: p.timedOut ? `timed out after ${o.timeoutMs / 1000} s` : failureReason(id, p.output),
        output: `$ ${shown}\n${p.output}`.slice(-8000) };
      results.push(r);
      failed.push(r);
      upstreamFailed = true;
    } else {
      results.push({ case: c.name, client: id, outcome: 'pass', seconds });
    }
  }
  const serverLog = await server.stop();
  for (const r of failed) r.serverLog = serverLog.slice(-4000);
  fs.rmSync(dataDir, { recursive: true, force: true });
  return results;
}

// ---------------------------------------------------------------------------------------------
// Table


export function markdownTable(r: RunReport): string {
  const ids = r.clients.map((c) => c.id);
  const head = `| case | ${r.clients.map((c) => c.title).join(' | ')} |\n|---|${ids.map(() => '---').join('|')}|\n`;
  const rows = r.cases.map((name) => `| ${name} | ${ids.map((id) => {
    const res = r.results.find((x) => x.case === name && x.client === id);
    if (!res) return '';
    const ours = res.via ? ' (our client)' : '';
    return res.outcome === 'pass' ? `pass${ours}` : `${mark[res.outcome]}${ours}: ${(res.reason ?? '').replace(/\|/g, '\\|').slice(0, 160)}`;
  }).join(' | ')} |`).join('\n');
  return head + rows + '\n';
}

function textTable(r: RunReport): string {
  const ids = r.clients.map((c) => c.id);
  const w = Math.max(4, ...r.cases.map((c) => c.length));
  // '-': the client has no such mode (the read-back check has no scenarios).
  const cell = (name: string, id: ClientId) => {
    const res = r.results.find((x) => x.case === name && x.client === id);
    return res ? `${mark[res.outcome]}${res.via ? '*' : ''}` : '-';
  };
  const lines = [`${'case'.padEnd(w)}  ${ids.map((i) => i.padEnd(14)).join('')}`];
  for (const name of r.cases) {
    lines.push(`${name.padEnd(w)}  ${ids.map((id) => cell(name, id).padEnd(14)).join('')}`);
  }
  const fails = r.results.filter((x) => x.outcome !== 'pass');
  if (fails.length) {
    lines.push('', 'Not passing:');
    for (const f of fails) lines.push(`  [${f.client}] ${f.case}: ${mark[f.outcome]}: ${f.reason ?? ''}`);
  }
  if (r.results.some((x) => x.via)) lines.push('', '*: our client on that column\'s library (client-limits.ts OWN_SCENARIO_CLIENTS), not the Arrow project\'s');
  const s = r.summary;
  lines.push('', `${s.passed} passed, ${s.failed} failed, ${s.cannotRun} skipped`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

export async function runIntegration(argv: string[]): Promise<RunReport> {
  const o = parseArgs(argv);
  const t0 = Date.now();
  if (o.setup) {
    const wanted = [...new Set(o.clients.map((c) => (c === 'go-readback' ? 'go' : c)))].filter((c) => c === 'go' || c === 'java');
    const s = spawnSync('bash', [path.join(repo, 'scripts/conformance/setup.sh'), ...wanted], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (s.status !== 0) process.stderr.write('conformance: setup reported a problem; clients not installed are marked so\n');
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-conformance-'));
  try {
    const cases = o.modes.includes('json') ? prepareCorpus(o.corpus, o.cases, tmp) : [];
    const scenarios = o.modes.includes('scenario')
      ? SCENARIO_NAMES.filter((n) => o.scenarios.length === 0 || o.scenarios.some((f) => n.includes(f)))
      : [];
    const clients = CLIENTS.filter((c) => o.clients.includes(c.id)).map((c) => ({ ...c, installed: installed(c.id) }));
    const on = (id: ClientId) => clients.find((c) => c.id === id);
    const groups: ClientId[][] = [];
    if (on('go')?.installed) groups.push(on('go-readback')?.installed ? ['go', 'go-readback'] : ['go']);
    else if (on('go-readback')?.installed) groups.push(['go', 'go-readback']); // read-back needs the upload
    if (on('java')?.installed) groups.push(['java']);
    const jobs: (() => Promise<CaseResult[]>)[] = [];
    for (const c of cases) {
      for (const cl of clients) {
        if (!cl.installed) jobs.push(async () => [{ case: c.name, client: cl.id, outcome: 'not-installed', reason: `${cl.title} client is not installed (see scripts/conformance/setup.sh)` }]);
      }
      for (const g of groups) jobs.push(async () => (await runGroup(o, c, g, tmp)).filter((r) => o.clients.includes(r.client)));
    }
    // The stream clients run every case in one process; started first, they overlap the rest.
    for (const cl of clients.filter((k) => STREAM_CLIENTS.includes(k.id) && k.installed)) {
      if (cases.length === 0) continue;
      jobs.unshift(() => runStreamClient({
        client: cl.id, cases: cases.map((c) => ({ name: c.name, stream: c.stream })), tmp, timeoutMs: o.timeoutMs,
        startQuiver: (dataDir) => startQuiver(o.quiver, dataDir),
      }));
    }
    for (const scenario of scenarios) {
      for (const cl of clients.filter((c) => SCENARIO_CLIENTS.includes(c.id))) {
        jobs.push(async () => [scenarioClientInstalled(cl.id, scenario) || scenarioLimit(cl.id, scenario)
          ? await runScenario({ client: cl.id, scenario, timeoutMs: o.timeoutMs, describeFailure: failureReason })
          : { case: scenarioCase(scenario), client: cl.id, outcome: 'not-installed', via: ownScenarioClient(cl.id, scenario),
            reason: `${ownScenarioClient(cl.id, scenario) ? `our ${cl.title} scenario client is not built` : `${cl.title} client is not installed`} (see scripts/conformance/setup.sh)` }]);
      }
    }
    const done: CaseResult[][] = new Array(jobs.length);
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(o.jobs, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        done[i] = await jobs[i]!();
        for (const r of done[i]!) {
          process.stderr.write(`conformance: ${r.client.padEnd(11)} ${r.case.padEnd(50)} ${mark[r.outcome]}${r.seconds !== undefined ? ` (${r.seconds}s)` : ''}\n`);
        }
      }
    }));
    const order = clients.map((c) => c.id);
    const results = done.flat().sort((a, b) => a.case.localeCompare(b.case) || order.indexOf(a.client) - order.indexOf(b.client));
    const report: RunReport = {
      started: new Date(t0).toISOString(),
      seconds: Math.round((Date.now() - t0) / 1000),
      corpus: o.corpus,
      clients,
      cases: [...cases.map((c) => c.name), ...scenarios.map(scenarioCase)],
      results,
      summary: {
        passed: results.filter((r) => r.outcome === 'pass').length,
        failed: results.filter((r) => r.outcome === 'fail').length,
        cannotRun: results.filter((r) => r.outcome === 'cannot-run').length,
        notInstalled: results.filter((r) => r.outcome === 'not-installed').length,
      },
    };
    const readmePath = path.join(repo, 'docs', 'conformance.md');
    // A partial run (filters, some clients or one mode) speaks for its own cells only: the rest of
    // the table stays as the page has it (CI's full run checks the whole table).
    const partial = o.cases.length > 0 || o.scenarios.length > 0 || o.modes.length < 2 || o.clients.length < CLIENTS.length;
    const table = (page: string) => readmeSection(partial ? mergeIntoTable(page, report, CLIENTS, SCENARIO_NAMES) : report);
    if (o.check) {
      const current = fs.readFileSync(readmePath, 'utf8');
      const wanted = replaceReadmeSection(current, table(current));
      report.readmeStale = wanted === current ? null
        : `docs/conformance.md's table between ${README_BEGIN} and ${README_END} is not what this run found; rerun with --write-readme (npm run conformance:readme) and commit it`;
    }
    if (o.writeReadme) {
      const current = fs.readFileSync(readmePath, 'utf8');
      fs.writeFileSync(readmePath, replaceReadmeSection(current, table(current)));
    }
    fs.mkdirSync(path.dirname(o.out), { recursive: true });
    fs.writeFileSync(o.out, JSON.stringify(report, null, 2) + '\n');
    if (o.markdown) fs.writeFileSync(o.markdown, markdownTable(report));
    return report;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runIntegration(process.argv.slice(2)).then((r) => {
    console.log(textTable(r));
    if (r.readmeStale) console.log(`\n${r.readmeStale}`);
    process.exitCode = r.summary.failed > 0 || r.summary.notInstalled > 0 || r.readmeStale ? 1 : 0;
  }, (e) => {
    console.error(`conformance: ${(e as Error).stack ?? e}`);
    process.exitCode = 2;
  });
}
