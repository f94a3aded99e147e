// The cluster side of the ZooKeeper coordinator (Coordinator.cluster): this replica's status,
// the leader and the live members as the election directory shows them (every replica is a
// candidate, so the candidates are the members), and the config node.
import { EventEmitter } from 'node:events';
import type { ClusterCoordination, ClusterMember, ClusterStatus, ConfigNode } from '../coordinator.ts';
import { damaged, storedObject } from '../stored-records.ts';
import type { ClusterConfigNode } from './cluster-config-node.ts';
import type { Candidate, LeaderElection } from './leader-election.ts';
import type { SessionOptions, ZkSession } from './session.ts';

export class ZooKeeperCluster implements ClusterCoordination {
  private readonly changes = new EventEmitter<{ status: [ClusterStatus] }>();

  constructor(
    private readonly session: ZkSession,
    private readonly election: LeaderElection,
    private readonly config: ClusterConfigNode,
    private readonly name: string,
    private readonly self: ClusterMember,
    log?: SessionOptions['log'],
  ) {
    const notify = () => this.changes.emit('status', this.status());
    session.on('state', notify);
    election.on('leadership', notify);
    election.on('error', (e) => log?.('leader election step failed', { error: String(e) }));
  }

  status(): ClusterStatus {
    return {
      cluster: this.name,
      self: this.self,
      isLeader: this.election.isLeader,
      session: this.session.state,
      sessionId: this.session.sessionId,
    };
  }

  onStatusChange(listener: (status: ClusterStatus) => void): () => void {
    this.changes.on('status', listener);
    return () => this.changes.off('status', listener);
  }

  async leader(): Promise<ClusterMember | null> {
    const c = await this.election.leader();
    return c ? decodeMember(c) : null;
  }

  async members(): Promise<ClusterMember[]> {
    return (await this.election.candidates()).map(decodeMember);
  }

  readConfig(): Promise<ConfigNode> {
    return this.config.read();
  }

  writeConfig(text: string, expected: number): Promise<ConfigNode | null> {
    return this.config.write(text, expected);
  }

  watchConfig(listener: (node: ConfigNode) => void): Promise<void> {
    return this.config.watch(listener);
  }
}

/** An election node's data: the member JSON {id, location} its replica wrote. */
export function decodeMember(c: Candidate): ClusterMember {
  const what = 'the election node';
  const where = `ZooKeeper ${c.path}`;
  const o = storedObject(c.data, what, where);
  if (typeof o.id !== 'string' || typeof o.location !== 'string') throw damaged(what, where, 'it does not name a member {id, location}');
  return { id: o.id, location: o.location };
}

export const encodeMember = (m: ClusterMember): Buffer => Buffer.from(JSON.stringify(m));
