// Change feed latency: from a commit's acknowledgement (its DoPut resolved at the writer) to a
// follower receiving its batch, p50 and p99 over every follower and commit, with 1, 10 and 100
// followers, embedded (one server process) and in a cluster (3 replicas on a 3-node ZooKeeper
// ensemble; the writer writes through the leader, followers are spread over all replicas, so
// most of them hear of commits through their replica's ZooKeeper watch). Prints; asserts nothing.
//
//   npm run bench:follow [-- --commits 40 --interval 25 --followers 1,10,100 --rounds 1 --only embedded|cluster]
//
// With --rounds R, each follower count is measured R times, the counts interleaved (1, 10, 100,
// 1, 10, 100, ...) so that a shared machine's load falls on all of them alike; the figures are
// medians over the rounds. Besides latency it prints CPU time, which load does not inflate: the
// server processes' (from /proc) and this process's (the followers' clients decoding), per commit,
// over the timed commits. Flat in the number of followers means the server's CPU per commit
// grows by the cost of one write per follower, and the latency with it.
//
// Writer and followers run in this process (on one clock): followers share a few client
// channels, as they would share a process's connections. A negative latency means the follower
// had the rows before the writer had its acknowledgement: followers are notified once the
// version is in the log, and the acknowledgement still has to travel back to the writer.
import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { tableFromArrays } from 'apache-arrow';
import { FlightClient } from '../src/client/index.ts';
import { ReplicaCluster } from '../test/harness/cluster-replicas.ts';
import { startQuiver } from '../test/harness/quiver-process.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const COMMITS = Number(arg('commits', '40'));
const INTERVAL_MS = Number(arg('interval', '25'));
const FOLLOWERS = arg('followers', '1,10,100').split(',').map(Number);
const ONLY = arg('only', '');
const ROUNDS = Number(arg('rounds', '1'));
const CHANNELS = 8;

const rows = (v: number) => tableFromArrays({ v: Int32Array.from({ length: 10 }, () => v) });
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** CPU milliseconds (user + system) a process has used, from /proc (Linux). */
function cpuMsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
}
const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Round {
  latencies: number[];
  /** CPU ms per timed commit: the server processes', this process's. */
  serverCpu: number;
  clientCpu: number;
}

/** Latencies (ms) of COMMITS commits to a fresh table with `n` followers on `followerClients`, and the CPU they cost. */
async function run(writer: FlightClient, followerClients: FlightClient[], table: string, n: number, serverPids: number[]): Promise<Round> {
  await writer.doPut(table, rows(0));
  const received = new Map<number, number[]>();
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  let ready = 0;
  const followers = Array.from({ length: n }, async (_, i) => {
    const client = followerClients[i % followerClients.length]!;
    try {
      for await (const item of client.follow(table, { fromVersion: 2, signal: stop.signal })) {
        if (!item.batch) continue;
        const v = item.batch.getChild('v')!.get(0) as number;
        if (v === 0) {
          ready += 1; // the warm-up commit below
          continue;
        }
        let list = received.get(v);
        if (!list) received.set(v, (list = []));
        list.push(performance.now());
      }
    } catch (e) {
      if (!stop.signal.aborted) throw e;
    }
  });
  // A warm-up commit every follower must see before timing starts: all streams are open.
  await writer.doPut(table, rows(0));
  while (ready < n) await new Promise((r) => setTimeout(r, 10));
  const acked = new Map<number, number>();
  const cpu0 = serverPids.reduce((t, p) => t + cpuMsOf(p), 0);
  const own0 = ownCpuMs();
  for (let v = 1; v <= COMMITS; v++) {
    await writer.doPut(table, rows(v));
    acked.set(v, performance.now());
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
  }
  const deadline = Date.now() + 30_000;
  while ([...acked.keys()].some((v) => (received.get(v)?.length ?? 0) < n) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const serverCpu = (serverPids.reduce((t, p) => t + cpuMsOf(p), 0) - cpu0) / COMMITS;
  const clientCpu = (ownCpuMs() - own0) / COMMITS;
  stop.abort();
  await Promise.allSettled(followers);
  const out: number[] = [];
  for (const [v, at] of acked) for (const t of received.get(v) ?? []) out.push(t - at);
  const missing = COMMITS * n - out.length;
  if (missing > 0) console.log(`  (${missing} deliveries did not arrive within 30 s)`);
  return { latencies: out, serverCpu, clientCpu };
}

/** Every follower count ROUNDS times, interleaved; one line per count with the medians over rounds. */
async function measure(label: string, writer: FlightClient, channels: FlightClient[], serverPids: number[]): Promise<void> {
  const rounds = new Map<number, Round[]>(FOLLOWERS.map((n) => [n, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const n of FOLLOWERS) {
      const got = await run(writer, channels, `bench-follow-${n}-${r}`, n, serverPids);
      rounds.get(n)!.push(got);
      if (ROUNDS > 1) console.log(`  round ${r + 1} ${label} ${n}: p50 ${pct(got.latencies, 50).toFixed(1)} ms, p99 ${pct(got.latencies, 99).toFixed(1)} ms, server CPU ${got.serverCpu.toFixed(2)} ms/commit, load ${os.loadavg()[0]!.toFixed(1)}`);
    }
  }
  for (const [n, rs] of rounds) {
    const p50 = median(rs.map((r) => pct(r.latencies, 50)));
    const p99 = median(rs.map((r) => pct(r.latencies, 99)));
    const server = median(rs.map((r) => r.serverCpu));
    const client = median(rs.map((r) => r.clientCpu));
    console.log(`${label.padEnd(9)} ${String(n).padStart(3)} follower(s): p50 ${p50.toFixed(1).padStart(6)} ms  p99 ${p99.toFixed(1).padStart(6)} ms  server CPU ${server.toFixed(2).padStart(6)} ms/commit  followers' client CPU ${client.toFixed(2).padStart(6)} ms/commit  (${rs.reduce((t, r) => t + r.latencies.length, 0)} deliveries of ${COMMITS * rs.length} commits)`);
  }
}

async function embedded(): Promise<void> {
  const server = await startQuiver();
  const location = `grpc+tcp://${server.address}`;
  const writer = new FlightClient(location);
  const channels = Array.from({ length: CHANNELS }, () => new FlightClient(location));
  try {
    await measure('embedded', writer, channels, [server.child.pid!]);
  } finally {
    writer.close();
    for (const c of channels) c.close();
    await server.stop();
  }
}

async function cluster(): Promise<void> {
  const c = await ReplicaCluster.start({ zkNodes: 3, replicas: 3 });
  try {
    const leader = await c.waitForLeader();
    const writer = new FlightClient(leader.location);
    const channels = Array.from({ length: CHANNELS }, (_, i) => new FlightClient(c.replicas[i % c.replicas.length]!.location));
    try {
      await measure('cluster', writer, channels, c.replicas.map((r) => r.pid));
    } finally {
      writer.close();
      for (const ch of channels) ch.close();
    }
  } finally {
    await c.stop();
  }
}

console.log(`change feed latency, commit acknowledged -> follower received; ${COMMITS} commits ${INTERVAL_MS} ms apart per row, ${ROUNDS} round(s); load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
if (ONLY !== 'cluster') await embedded();
if (ONLY !== 'embedded') await cluster();
console.log(`load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
