// The nemesis: the faults the campaign injects, each as inject() returning its heal(). Which
// fault, on what and for how long comes from the seeded generator, so a run's schedule repeats
// from its seed (where within a commit a fault lands still depends on timing).
//
// Kinds are dealt like cards: every consecutive block of as many steps as there are kinds holds
// each kind once, in a seeded order, so even a short run meets every fault.
import fs from 'node:fs';
import type { LinkCut } from '../harness/link-proxy.ts';
import { fillFilesystem, type FaultCluster, type FaultReplica } from './fault-cluster.ts';

export const FAULT_KINDS = ['kill-replica', 'pause-replica', 'isolate-replica', 'kill-zk', 'pause-zk', 'restart-zk', 'disk-full'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultPlan {
  kind: FaultKind;
  /** Replica faults: hit the leader (the interesting case) or another replica. */
  leader: boolean;
  /** A number in [0, 1) choosing the replica or ZooKeeper member among the candidates. */
  pick: number;
  /** isolate-replica: which links are cut, and how. */
  links: 'zookeeper' | 'peers' | 'both';
  cut: LinkCut;
  holdMs: number;
}

export interface Injected {
  /** What was hit, for the log: "r1 (leader)", "zk2". */
  target: string;
  heal(): Promise<void>;
}

const MIN_HOLD_MS = 200;
const MAX_HOLD_MS = 3000;

export class Nemesis {
  private deck: FaultKind[] = [];

  constructor(private readonly next: () => number, private readonly kinds: readonly FaultKind[]) {}

  plan(): FaultPlan {
    if (this.deck.length === 0) {
      this.deck = [...this.kinds];
      for (let i = this.deck.length - 1; i > 0; i--) {
        const j = Math.floor(this.next() * (i + 1));
        [this.deck[i], this.deck[j]] = [this.deck[j]!, this.deck[i]!];
      }
    }
    const links = (['zookeeper', 'peers', 'both'] as const)[Math.floor(this.next() * 3)]!;
    return {
      kind: this.deck.shift()!,
      leader: this.next() < 0.6,
      pick: this.next(),
      links,
      cut: this.next() < 0.5 ? 'reset' : 'blackhole',
      holdMs: Math.round(MIN_HOLD_MS + this.next() * (MAX_HOLD_MS - MIN_HOLD_MS)),
    };
  }
}

export function describePlan(p: FaultPlan): string {
  const detail = p.kind === 'isolate-replica' ? ` from ${p.links} (${p.cut})` : '';
  return `${p.kind}${detail} for ${p.holdMs} ms`;
}

export async function inject(cluster: FaultCluster, plan: FaultPlan, log: (line: string) => void): Promise<Injected> {
  switch (plan.kind) {
    case 'kill-replica': {
      const r = await replicaTarget(cluster, plan);
      await r.replica.kill();
      return { target: r.label, heal: async () => void (await cluster.startReplica(r.replica, log)) };
    }
    case 'pause-replica': {
      const r = await replicaTarget(cluster, plan);
      r.replica.pause();
      return { target: r.label, heal: async () => r.replica.resume() };
    }
    case 'isolate-replica': {
      const r = await replicaTarget(cluster, plan);
      const links = [...(plan.links === 'peers' ? [] : r.replica.zkLinks), ...(plan.links === 'zookeeper' ? [] : [r.replica.peerLink])];
      for (const l of links) l.sever(plan.cut);
      return { target: r.label, heal: async () => links.forEach((l) => l.heal()) };
    }
    case 'kill-zk': {
      const member = memberTarget(cluster, plan);
      await member.kill();
      return { target: `zk${member.id}`, heal: async () => {
        await member.restart();
        await cluster.zk.waitServing(60_000);
      } };
    }
    case 'pause-zk': {
      const member = memberTarget(cluster, plan);
      member.freeze();
      return { target: `zk${member.id}`, heal: async () => member.thaw() };
    }
    case 'restart-zk': {
      await Promise.all(cluster.zk.nodes.map((n) => n.kill()));
      return { target: 'all of ZooKeeper', heal: async () => {
        for (const n of cluster.zk.nodes) await n.restart();
        await cluster.zk.waitServing(60_000);
      } };
    }
    case 'disk-full': {
      const ballast = fillFilesystem(cluster.data);
      return { target: 'the data root', heal: async () => fs.rmSync(ballast, { recursive: true, force: true }) };
    }
  }
}

async function replicaTarget(cluster: FaultCluster, plan: FaultPlan): Promise<{ replica: FaultReplica; label: string }> {
  const leader = await cluster.leader();
  if (plan.leader && leader) return { replica: leader, label: `${leader.name} (leader)` };
  const others = cluster.live.filter((r) => r !== leader);
  const replica = others[Math.floor(plan.pick * others.length)] ?? leader ?? cluster.replicas[0]!;
  return { replica, label: `${replica.name}${replica === leader ? ' (leader)' : ''}` };
}

function memberTarget(cluster: FaultCluster, plan: FaultPlan) {
  const running = cluster.zk.nodes.filter((n) => n.running);
  return running[Math.floor(plan.pick * running.length)]!;
}
