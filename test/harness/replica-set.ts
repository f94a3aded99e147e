// A few `quiver serve --zk` replicas on one data root and a fresh standalone ZooKeeper, each with
// a client of the test's choosing, for cluster tests that need no fault injection (those use
// cluster-replicas.ts).
import { startZooKeeper, type ZooKeeperCluster } from './zookeeper.ts';
import { startQuiver, tempDir, type QuiverProcess } from './quiver-process.ts';

export interface SetMember<C> {
  process: QuiverProcess;
  client: C;
}

export interface ReplicaSet<C> {
  zk: ZooKeeperCluster;
  data: string;
  replicas: SetMember<C>[];
  /** Closes the clients, stops the replicas (SIGTERM), then ZooKeeper. */
  stop(): Promise<void>;
}

export async function startReplicaSet<C extends { close(): void }>(options: {
  count: number;
  cluster: string;
  client: (process: QuiverProcess) => C;
  /** More `quiver serve` flags, e.g. maintenance settings. */
  args?: string[];
}): Promise<ReplicaSet<C>> {
  const zk = await startZooKeeper({ nodes: 1 });
  const data = tempDir(`quiver-${options.cluster}-`);
  const replicas: SetMember<C>[] = [];
  const stop = async () => {
    for (const r of replicas) {
      r.client.close();
      await r.process.stop();
    }
    await zk.stop();
  };
  try {
    for (let i = 0; i < options.count; i++) {
      const process = await startQuiver(['--zk', zk.connect, '--cluster', options.cluster, '--zk-session-timeout', '3s', ...(options.args ?? [])], data);
      replicas.push({ process, client: options.client(process) });
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { zk, data, replicas, stop };
}
