// Commits per second on one table, cluster (3 replicas, 3-node ZooKeeper ensemble) vs local
// mode, and failover time (leader SIGKILL -> next write accepted). Prints medians; asserts
// nothing.
//
//   tsx bench/cluster-commits.ts [--commits 200] [--runs 3] [--writers 4] [--failovers 5]
//
// Each commit is one small DoPut (one batch of 10 rows) appended to the same table, so the
// numbers are the commit path: staging, manifest write + fsync, commit lock and fenced publish
// (cluster) or the local log (local). Cluster writes go to the leader ("direct") and through a
// follower ("forwarded"). Failover uses --zk-session-timeout 2s with tickTime 500 ms: the time
// is dominated by the dead leader's session expiring.
import { performance } from 'node:perf_hooks';
import { tableFromArrays } from 'apache-arrow';
import { FlightClient } from '../src/client/index.ts';
import { ReplicaCluster, type Replica } from '../test/harness/cluster-replicas.ts';
import { startQuiver } from '../test/harness/quiver-process.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const COMMITS = arg('commits', 200);
const RUNS = arg('runs', 3);
const WRITERS = arg('writers', 4);
const FAILOVERS = arg('failovers', 5);

const small = tableFromArrays({ n: Int32Array.from({ length: 10 }, (_, i) => i) });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Commits per second of `commits` DoPuts to `table`, split over `writers` concurrent writers. */
async function commitRate(clients: FlightClient[], table: string, commits: number, writers: number): Promise<number> {
  const per = Math.ceil(commits / writers);
  const started = performance.now();
  await Promise.all(Array.from({ length: writers }, async (_, w) => {
    const client = clients[w % clients.length]!;
    for (let i = 0; i < per; i++) await client.doPut(table, small);
  }));
  return (per * writers) / ((performance.now() - started) / 1000);
}

async function measure(label: string, clients: FlightClient[]): Promise<void> {
  for (const writers of [1, WRITERS]) {
    const rates: number[] = [];
    for (let run = 0; run < RUNS; run++) rates.push(await commitRate(clients, `bench-${writers}-${run}`, COMMITS, writers));
    console.log(`${label.padEnd(24)} ${String(writers).padStart(2)} writer(s): ${median(rates).toFixed(1).padStart(7)} commits/s (median of ${RUNS} runs of ${COMMITS}; runs ${rates.map((r) => r.toFixed(1)).join(', ')})`);
  }
}

async function local(): Promise<void> {
  const server = await startQuiver();
  const client = new FlightClient(`grpc+tcp://${server.address}`);
  try {
    await measure('local', [client]);
  } finally {
    client.close();
    await server.stop();
  }
}

async function cluster(): Promise<void> {
  const c = await ReplicaCluster.start({ zkNodes: 3 });
  try {
    const leader = await c.waitForLeader();
    const follower = c.replicas.find((r) => r !== leader)!;
    await measure('cluster, to the leader', [leader.client]);
    await measure('cluster, via a follower', [follower.client]);
  } finally {
    await c.stop();
  }
}

async function writeUntilAccepted(candidates: Replica[]): Promise<void> {
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
    const c = await ReplicaCluster.start({ zkNodes: 3 });
    try {
      const leader = await c.waitForLeader();
      await leader.client.doPut('failover', small);
      const killedAt = performance.now();
      leader.kill();
      await writeUntilAccepted(c.replicas.filter((r) => r !== leader));
      times.push(performance.now() - killedAt);
    } finally {
      await c.stop();
    }
  }
  console.log(`failover (leader SIGKILL -> next write accepted, 2 s sessions): median ${median(times).toFixed(0)} ms over ${FAILOVERS} runs (${times.map((t) => t.toFixed(0)).join(', ')} ms)`);
}

await local();
await cluster();
await failover();
process.exit(0);
