// Change feed latency: from a commit's acknowledgement (its DoPut resolved at the writer) to a
// follower receiving its batch, p50 and p99 over every follower and commit, with 1, 10 and 100
// followers, embedded (one server process) and in a cluster (3 replicas on a 3-node ZooKeeper
// ensemble; the writer writes through the leader, followers are spread over all replicas, so
// most of them hear of commits through their replica's ZooKeeper watch). Prints; asserts nothing.
//
//   npm run bench:follow [-- --commits 40 --interval 25 --followers 1,10,100 --only embedded|cluster]
//
// Writer and followers run in this process (on one clock): followers share a few client
// channels, as they would share a process's connections. A negative latency means the follower
// had the rows before the writer had its acknowledgement: followers are notified once the
// version is in the log, and the acknowledgement still has to travel back to the writer.
import { setMaxListeners } from 'node:events';
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
const CHANNELS = 8;

const rows = (v: number) => tableFromArrays({ v: Int32Array.from({ length: 10 }, () => v) });
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

/** Latencies (ms) of COMMITS commits to a fresh table with `n` followers on `followerClients`. */
async function run(writer: FlightClient, followerClients: FlightClient[], table: string, n: number): Promise<number[]> {
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
  for (let v = 1; v <= COMMITS; v++) {
    await writer.doPut(table, rows(v));
    acked.set(v, performance.now());
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
  }
  const deadline = Date.now() + 30_000;
  while ([...acked.keys()].some((v) => (received.get(v)?.length ?? 0) < n) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  stop.abort();
  await Promise.allSettled(followers);
  const out: number[] = [];
  for (const [v, at] of acked) for (const t of received.get(v) ?? []) out.push(t - at);
  const missing = COMMITS * n - out.length;
  if (missing > 0) console.log(`  (${missing} deliveries did not arrive within 30 s)`);
  return out;
}

function report(label: string, n: number, ms: number[]): void {
  console.log(`${label.padEnd(9)} ${String(n).padStart(3)} follower(s): p50 ${pct(ms, 50).toFixed(1).padStart(6)} ms  p99 ${pct(ms, 99).toFixed(1).padStart(6)} ms  (${ms.length} deliveries of ${COMMITS} commits)`);
}

async function embedded(): Promise<void> {
  const server = await startQuiver();
  const location = `grpc+tcp://${server.address}`;
  const writer = new FlightClient(location);
  const channels = Array.from({ length: CHANNELS }, () => new FlightClient(location));
  try {
    for (const n of FOLLOWERS) report('embedded', n, await run(writer, channels, `bench-follow-${n}`, n));
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
      for (const n of FOLLOWERS) report('cluster', n, await run(writer, channels, `bench-follow-${n}`, n));
    } finally {
      writer.close();
      for (const ch of channels) ch.close();
    }
  } finally {
    await c.stop();
  }
}

console.log(`change feed latency, commit acknowledged -> follower received; ${COMMITS} commits ${INTERVAL_MS} ms apart per row`);
if (ONLY !== 'cluster') await embedded();
if (ONLY !== 'embedded') await cluster();
