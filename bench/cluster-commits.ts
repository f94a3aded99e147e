// Commits per second on one table, cluster (3 replicas, 3-node ZooKeeper ensemble) vs local
// mode, at several numbers of concurrent writers, and failover time (leader SIGKILL -> next write
// accepted). Prints medians; asserts nothing.
//
//   tsx bench/cluster-commits.ts [--commits 400] [--runs 3] [--writers 1,4,16,64] [--failovers 5]
//                                [--modes local,leader,follower,failover] [--before DIR] [--json]
//
// --writers   a list of concurrent writer counts; a single number N means "1 and N" (as before).
// --commits   commits per run, split over the writers (each writer does at least 4).
// --modes     any of local (embedded server), leader (cluster, DoPut to the leader), follower
//             (cluster, DoPut through a follower, which forwards to the leader), failover.
// --before    a checkout of older code (built: its build/ exists): every commit-rate figure is
//             measured for it too, run for run interleaved with this checkout's (the replicas of
//             both share one ZooKeeper ensemble, as two clusters), and printed side by side.
// --json      also print one JSON line with every run (for bench/scale*).
// --convert-paused  every server runs with --convert-paused true: no background conversion
//             versions between the benchmark's commits (by default each small DoPut is followed by
//             a conversion of its landed file, a commit of its own through the same lock).
// --trace     servers record each write's and each group's stage times (src/storage/commit-trace.ts);
//             after each run its medians are printed: where a commit's wall time goes.
//
// Each commit is one small DoPut (one batch of 10 rows) appended to the same table, so the
// numbers are the commit path: staging, manifest write + fsync, commit lock and fenced publish
// (cluster) or the local log (local). Beside each rate the CPU time the server that commits (the
// leader) spent per commit: unlike the rate it does not grow with the machine's load. Failover
// uses --zk-session-timeout 2s with tickTime 500 ms: the time is dominated by the dead leader's
// session expiring.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';
import { tableFromArrays } from 'apache-arrow';
import { FlightClient } from '../src/client/index.ts';
import { startZooKeeper, type ZooKeeperCluster } from '../test/harness/zookeeper.ts';
import { PROJECT_ROOT, tempDir } from '../test/harness/quiver-process.ts';

const option = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const number = (name: string, fallback: number) => Number(option(name) ?? fallback);
const COMMITS = number('commits', 400);
const RUNS = number('runs', 3);
const FAILOVERS = number('failovers', 5);
const writersOption = (option('writers') ?? '1,4,16,64').split(',').map(Number);
const WRITERS = writersOption.length === 1 && writersOption[0] !== 1 ? [1, writersOption[0]!] : writersOption;
const MODES = new Set((option('modes') ?? 'local,leader,follower,failover').split(','));
const BEFORE = option('before');
const JSON_OUT = process.argv.includes('--json');
const TRACE = process.argv.includes('--trace');
const SERVER_ARGS = process.argv.includes('--convert-paused') ? ['--convert-paused', 'true'] : [];
if (BEFORE && !fs.existsSync(path.join(BEFORE, 'build/cli/main.js'))) throw new Error(`--before ${BEFORE}: no build/cli/main.js there (run npm run build in it)`);
if (!fs.existsSync(path.join(PROJECT_ROOT, 'build/cli/main.js'))) throw new Error('build/ is missing: run npm run build first');

const small = tableFromArrays({ n: Int32Array.from({ length: 10 }, (_, i) => i) });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Build {
  label: 'after' | 'before';
  root: string;
}
const BUILDS: Build[] = [{ label: 'after', root: PROJECT_ROOT }, ...(BEFORE ? [{ label: 'before' as const, root: path.resolve(BEFORE) }] : [])];

/** A quiver server process of one build. */
interface Server {
  client: FlightClient;
  pid: number;
  kill(): void;
  stop(): Promise<void>;
  /** The commit trace file (--trace). */
  trace?: string;
}

async function serve(build: Build, args: string[], data = tempDir('quiver-bench-')): Promise<Server> {
  const trace = TRACE ? path.join(tempDir('quiver-bench-trace-'), 'trace.jsonl') : undefined;
  const env = trace ? { ...process.env, QUIVER_COMMIT_TRACE: trace } : process.env;
  const child: ChildProcess = spawn(process.execPath, [path.join(build.root, 'bin/quiver.js'), 'serve', '--port', '0', '--host', '127.0.0.1', '--data', data, ...SERVER_ARGS, ...args], { cwd: build.root, stdio: ['ignore', 'pipe', 'pipe'], env });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`quiver (${build.label}) exited with ${code}:\n${err}`)));
  });
  const port = /^Server listening on localhost:(\d+)$/.exec(line)?.[1];
  if (!port) {
    child.kill('SIGKILL');
    throw new Error(`unexpected first line ${JSON.stringify(line)}`);
  }
  const client = new FlightClient(`grpc+tcp://127.0.0.1:${port}`);
  return {
    client,
    pid: child.pid!,
    ...(trace ? { trace } : {}),
    kill: () => {
      client.close();
      child.kill('SIGKILL');
    },
    stop: async () => {
      client.close();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** CPU seconds (user + system) a process has used, from /proc (0 where there is none). */
function cpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

async function isLeader(s: Server): Promise<boolean> {
  try {
    for await (const body of s.client.doAction('cluster-status', '', { deadline: 5000 })) return (JSON.parse(Buffer.from(body).toString()) as { is_leader: boolean }).is_leader;
  } catch {
    // a loaded machine: ask again
  }
  return false;
}

/** Three replicas of one build on one data root, the first started leading. */
async function startCluster(build: Build, zk: ZooKeeperCluster, sessionTimeout = '10s'): Promise<Server[]> {
  const data = tempDir('quiver-bench-cluster-');
  const name = `bench${randomUUID().slice(0, 8)}`;
  const replicas: Server[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      replicas.push(await serve(build, ['--zk', zk.connect, '--cluster', name, '--zk-session-timeout', sessionTimeout], data));
      if (i === 0) while (!(await isLeader(replicas[0]!))) await new Promise((r) => setTimeout(r, 100));
    }
  } catch (e) {
    await Promise.all(replicas.map((r) => r.stop()));
    throw e;
  }
  return replicas;
}

interface Run {
  mode: string;
  build: string;
  writers: number;
  commits: number;
  commitsPerSecond: number;
  /** CPU milliseconds of the committing server per commit. */
  cpuMsPerCommit: number;
}
const runs: Run[] = [];

/** Processes whose CPU time --trace reports per commit, beside the committing server's. */
type OtherProcesses = Array<{ label: string; pids: number[] }>;

interface Rate {
  rate: number;
  cpuMs: number;
  commits: number;
  /** Median wall milliseconds of one DoPut as the client sees it. */
  callMs: number;
  /** CPU milliseconds per commit of this process (the client) and of each of `others`. */
  otherCpuMs: Array<{ label: string; ms: number }>;
}

/** Commits per second of `commits` DoPuts to `table`, split over `writers` concurrent writers. */
async function commitRate(client: FlightClient, committer: number, table: string, writers: number, others: OtherProcesses = []): Promise<Rate> {
  const per = Math.max(4, Math.ceil(COMMITS / writers));
  const cpu = cpuSeconds(committer);
  const otherCpu = others.map((o) => o.pids.reduce((n, p) => n + cpuSeconds(p), 0));
  const ownCpu = process.cpuUsage();
  const calls: number[] = [];
  const started = performance.now();
  await Promise.all(Array.from({ length: writers }, async () => {
    for (let i = 0; i < per; i++) {
      const t = performance.now();
      await client.doPut(table, small);
      calls.push(performance.now() - t);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const commits = per * writers;
  const own = process.cpuUsage(ownCpu);
  const otherCpuMs = [
    { label: 'client', ms: (own.user + own.system) / 1000 / commits },
    ...others.map((o, i) => ({ label: o.label, ms: ((o.pids.reduce((n, p) => n + cpuSeconds(p), 0) - otherCpu[i]!) * 1000) / commits })),
  ];
  return { rate: commits / seconds, cpuMs: ((cpuSeconds(committer) - cpu) * 1000) / commits, commits, callMs: median(calls), otherCpuMs };
}

type TraceLine = Record<string, number | string>;

/** The trace lines `file` gained since `offset` bytes, once the server has flushed them (each second). */
async function traceSince(file: string, offset: number): Promise<{ lines: TraceLine[]; offset: number }> {
  await new Promise((r) => setTimeout(r, 1500));
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  return { lines: text.slice(offset).split('\n').filter(Boolean).map((l) => JSON.parse(l) as TraceLine), offset: text.length };
}

/** Medians of the time between consecutive stages of each span, in the order the stages come. */
function stageMedians(spans: TraceLine[], stages: string[]): string {
  const parts: string[] = [];
  let before = '';
  for (const stage of stages) {
    const ds = spans.filter((s) => typeof s[stage] === 'number').map((s) => (s[stage] as number) - (before ? (s[before] as number) ?? 0 : 0));
    if (ds.length > 0) parts.push(`${stage} ${median(ds).toFixed(2)}`);
    before = stage;
  }
  return parts.join(', ');
}

/** Prints where the run's commits spent their wall time, from the committing server's trace. */
function printTrace(lines: TraceLine[], seconds: number, r: Rate): void {
  const writes = lines.filter((l) => l.kind === 'write');
  const groups = lines.filter((l) => l.kind === 'group');
  if (writes.length === 0) return;
  console.log(`    DoPut as the client sees it: median ${r.callMs.toFixed(2)} ms; CPU ms per commit: committer ${r.cpuMs.toFixed(2)}, ${r.otherCpuMs.map((o) => `${o.label} ${o.ms.toFixed(2)}`).join(', ')}`);
  const sizes = groups.map((g) => Number(g.size ?? 0));
  // A group's lock may linger for the next commits (commit.ts): that wait is not publishing.
  const busy = groups.reduce((n, g) => n + Number(g.published ?? g.total), 0) / 1000;
  console.log(`    writes (${writes.length}), median ms per stage: ${stageMedians(writes, ['target', 'admitted', 'begun', 'streamEnd', 'staged', 'total'])}`);
  console.log(`    groups (${groups.length}, size median ${median(sizes)} max ${Math.max(...sizes)}; publishing ${((100 * busy) / seconds).toFixed(0)}% of the run), median ms per stage: ${stageMedians(groups, ['lock', 'headEntry', 'head', 'planned', 'manifests', 'published', 'lingered', 'released'])}`);
}

/** Each build's target (the client that writes, the pid that commits); runs interleaved by build. */
async function measure(mode: string, targets: Map<string, { client: FlightClient; committer: number; trace?: string; others?: OtherProcesses }>): Promise<void> {
  const offsets = new Map<string, number>();
  for (const writers of WRITERS) {
    for (let run = 0; run < RUNS; run++) {
      // Alternate which build goes first, so neither always runs on a warmer (or busier) machine.
      const order = run % 2 === 0 ? BUILDS : [...BUILDS].reverse();
      for (const build of order) {
        const t = targets.get(build.label)!;
        const r = await commitRate(t.client, t.committer, `bench-${mode}-${writers}-${run}`, writers, t.others);
        runs.push({ mode, build: build.label, writers, commits: r.commits, commitsPerSecond: r.rate, cpuMsPerCommit: r.cpuMs });
        console.log(`  ${mode}, ${build.label}, ${writers} writer(s), run ${run + 1}: ${r.rate.toFixed(1)} commits/s, ${r.cpuMs.toFixed(2)} CPU ms/commit (load ${os.loadavg()[0]!.toFixed(1)})`);
        if (t.trace) {
          const { lines, offset } = await traceSince(t.trace, offsets.get(t.trace) ?? 0);
          offsets.set(t.trace, offset);
          printTrace(lines, r.commits / r.rate, r);
        }
      }
    }
  }
}

function printTable(): void {
  const modes = [...new Set(runs.map((r) => r.mode))];
  const head = BEFORE ? `${'before'.padStart(9)} ${'after'.padStart(9)}  after/before   CPU ms/commit before, after` : `${'commits/s'.padStart(9)}   CPU ms/commit`;
  console.log(`\ncommits/s on one table, medians of ${RUNS} runs (${COMMITS} commits per run, 10-row DoPuts); load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`${'mode'.padEnd(26)} ${'writers'.padStart(7)} ${head}`);
  for (const mode of modes) {
    for (const writers of WRITERS) {
      const of = (build: string) => runs.filter((r) => r.mode === mode && r.writers === writers && r.build === build);
      const after = of('after');
      if (after.length === 0) continue;
      const rate = (rs: Run[]) => median(rs.map((r) => r.commitsPerSecond));
      const cpu = (rs: Run[]) => median(rs.map((r) => r.cpuMsPerCommit));
      const cells = BEFORE
        ? `${rate(of('before')).toFixed(1).padStart(9)} ${rate(after).toFixed(1).padStart(9)}  ${`${(rate(after) / rate(of('before'))).toFixed(2)}x`.padStart(12)}   ${cpu(of('before')).toFixed(2)}, ${cpu(after).toFixed(2)}`
        : `${rate(after).toFixed(1).padStart(9)}   ${cpu(after).toFixed(2)}`;
      console.log(`${mode.padEnd(26)} ${String(writers).padStart(7)} ${cells}`);
    }
  }
}

const MODE_LABELS: Record<string, string> = { local: 'local mode', leader: 'cluster, to the leader', follower: 'cluster, via a follower' };

async function local(): Promise<void> {
  const servers = await Promise.all(BUILDS.map((b) => serve(b, [])));
  try {
    await measure(MODE_LABELS.local!, new Map(BUILDS.map((b, i) => [b.label, { client: servers[i]!.client, committer: servers[i]!.pid, ...(servers[i]!.trace ? { trace: servers[i]!.trace } : {}) }])));
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

async function cluster(): Promise<void> {
  const zk = await startZooKeeper({ nodes: 3 });
  const clusters: Server[][] = [];
  try {
    for (const b of BUILDS) clusters.push(await startCluster(b, zk));
    for (const mode of ['leader', 'follower'].filter((m) => MODES.has(m))) {
      const via = mode === 'leader' ? 0 : 1;
      await measure(MODE_LABELS[mode]!, new Map(BUILDS.map((b, i) => {
        const leader = clusters[i]![0]!;
        const others: OtherProcesses = [
          { label: 'followers', pids: clusters[i]!.slice(1).map((r) => r.pid) },
          { label: 'ZooKeeper (shared by both builds)', pids: zk.nodes.map((n) => n.pid).filter((p): p is number => p !== undefined) },
        ];
        return [b.label, { client: clusters[i]![via]!.client, committer: leader.pid, others, ...(leader.trace ? { trace: leader.trace } : {}) }];
      })));
    }
  } finally {
    await Promise.all(clusters.flat().map((s) => s.stop()));
    await zk.stop();
  }
}

async function writeUntilAccepted(candidates: Server[]): Promise<void> {
  for (;;) {
    for (const r of candidates) {
      try {
        await r.client.doPut('failover', small, { deadline: 5000 });
        return;
      } catch {
        // not yet: no leader, or still the dead one
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function failover(): Promise<void> {
  const times: number[] = [];
  for (let run = 0; run < FAILOVERS; run++) {
    const zk = await startZooKeeper({ nodes: 3 });
    let replicas: Server[] = [];
    try {
      replicas = await startCluster(BUILDS[0]!, zk, '2s');
      const [leader, ...others] = replicas as [Server, ...Server[]];
      await leader.client.doPut('failover', small);
      const killedAt = performance.now();
      leader.kill();
      await writeUntilAccepted(others);
      times.push(performance.now() - killedAt);
    } finally {
      await Promise.all(replicas.map((s) => s.stop()));
      await zk.stop();
    }
  }
  console.log(`failover (leader SIGKILL -> next write accepted, 2 s sessions): median ${median(times).toFixed(0)} ms over ${FAILOVERS} runs (${times.map((t) => t.toFixed(0)).join(', ')} ms)`);
}

console.log(`load average at the start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; builds: ${BUILDS.map((b) => `${b.label} ${b.root}`).join(', ')}`);
if (MODES.has('local')) await local();
if (MODES.has('leader') || MODES.has('follower')) await cluster();
if (runs.length > 0) printTable();
if (JSON_OUT) console.log(JSON.stringify({ loadAverage: os.loadavg(), runs }));
if (MODES.has('failover') && FAILOVERS > 0) await failover();
process.exit(0);
