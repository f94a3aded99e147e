// The randomized fault campaign (issue 9, item 5): a seeded nemesis (nemesis.ts) breaks a cluster
// of three replica processes and a three-member ZooKeeper ensemble (fault-cluster.ts) one fault
// per step while writers and readers run (fault-workload.ts); after each step it heals the fault,
// waits for the cluster to take writes again, and checks the invariants (fault-invariants.ts).
//
//   npm run test:faults -- --iterations N --seed S
//
// prints the seed, a line per step, and a summary per fault kind; exits 1 if anything was
// violated. test/faults/campaign.test.ts runs a few steps of it in CI.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../harness/seeded-random.ts';
import { FaultCluster, type FaultReplica } from './fault-cluster.ts';
import { InvariantChecker } from './fault-invariants.ts';
import { FaultWorkload, sleep } from './fault-workload.ts';
import { FAULT_KINDS, Nemesis, describePlan, inject, type FaultKind } from './nemesis.ts';

/** A fresh table every so many steps keeps the per-step check (and each manifest) small. */
const STEPS_PER_TABLE = 10;
const RECOVERY_TIMEOUT_MS = 60_000;
const WRITERS = 3;
const READERS = 2;

export interface KindSummary {
  steps: number;
  acked: number;
  refused: number;
  unknown: number;
  violations: number;
  /** Slowest time from heal to the next acknowledged write. */
  maxRecoveryMs: number;
  /** Failed writes during the fault by status code. */
  codes: Record<string, number>;
}

export interface CampaignReport {
  seed: number;
  iterations: number;
  violations: string[];
  byKind: Map<FaultKind, KindSummary>;
  acked: number;
  reads: number;
  readBacks: number;
  seconds: number;
  /** Replica starts that failed (retried). */
  startFailures: string[];
}

export interface CampaignOptions {
  iterations: number;
  seed: number;
  log?: (line: string) => void;
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const started = Date.now();
  const next = seededRandom(options.seed);
  const cluster = await FaultCluster.start({ log });
  const kinds = FAULT_KINDS.filter((k) => k !== 'disk-full' || cluster.ownFilesystem);
  const nemesis = new Nemesis(next, kinds);
  const workload = new FaultWorkload(cluster, `s${options.seed}`);
  const checker = new InvariantChecker(cluster);
  const violations: string[] = [];
  let stepsRun = 0;
  const byKind = new Map<FaultKind, KindSummary>(kinds.map((k) => [k, { steps: 0, acked: 0, refused: 0, unknown: 0, violations: 0, maxRecoveryMs: 0, codes: {} }]));
  // Ctrl-C or a kill ends the run after the step under way, so that nothing is left behind
  // (replica processes, ZooKeeper servers, the tmpfs mount).
  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
    log('# interrupted: stopping after this step');
  };
  process.on('SIGINT', interrupt).on('SIGTERM', interrupt);
  log(`# fault campaign: seed ${options.seed}, ${options.iterations} iterations, faults ${kinds.join(', ')}; data root ${cluster.data}${cluster.ownFilesystem ? ' (tmpfs)' : ''}`);
  try {
    await recover(cluster, workload, RECOVERY_TIMEOUT_MS);
    for (let step = 1; step <= options.iterations && !interrupted; step++) {
      workload.table = `t${Math.floor((step - 1) / STEPS_PER_TABLE)}`;
      const plan = nemesis.plan();
      const summary = byKind.get(plan.kind)!;
      const before = { ...workload.counts, errors: workload.errors.length, violations: workload.violations.length };
      const t0 = Date.now();
      workload.start(WRITERS, READERS);
      await sleep(200);
      workload.fault = plan.kind;
      const injected = await inject(cluster, plan, log);
      await sleep(plan.holdMs);
      await injected.heal();
      const tHealed = Date.now();
      const stepViolations: string[] = [];
      let recoveryMs = 0;
      try {
        recoveryMs = await recover(cluster, workload, RECOVERY_TIMEOUT_MS);
      } catch (e) {
        stepViolations.push(`liveness: ${(e as Error).message}`);
        dumpLogs(cluster, options.seed, step, log);
        if (!(await forceRecovery(cluster, workload, log))) {
          violations.push(...stepViolations.map((v) => `step ${step} (${plan.kind}): ${v}`), `step ${step}: the cluster did not recover even after restarting every replica; run ended`);
          break;
        }
      }
      workload.fault = null;
      const tRecovered = Date.now();
      await workload.stop();
      const tDrained = Date.now();
      stepViolations.push(...workload.violations.slice(before.violations));
      stepViolations.push(...diskFullAnswers(workload, before.errors, plan.kind));
      try {
        stepViolations.push(...(await checker.check(workload.table, workload.log(workload.table))));
      } catch (e) {
        stepViolations.push(`check: could not check ${workload.table}: ${(e as Error).message}`);
      }
      const tChecked = Date.now();
      if (stepViolations.length > 0 && !stepViolations.some((v) => v.startsWith('liveness'))) dumpLogs(cluster, options.seed, step, log);
      const c = workload.counts;
      stepsRun++;
      summary.steps++;
      summary.acked += c.acked - before.acked;
      summary.refused += c.refused - before.refused;
      summary.unknown += c.unknown - before.unknown;
      summary.violations += stepViolations.length;
      summary.maxRecoveryMs = Math.max(summary.maxRecoveryMs, recoveryMs);
      for (const e of workload.errors.slice(before.errors)) if (e.fault === plan.kind) summary.codes[e.code] = (summary.codes[e.code] ?? 0) + 1;
      log(`step ${step}/${options.iterations}: ${describePlan(plan)} on ${injected.target}; ${c.acked - before.acked} acked, ${c.refused - before.refused} refused, ${c.unknown - before.unknown} unknown; writes again ${recoveryMs} ms after heal; ${stepViolations.length} violations (s: fault ${secs(tHealed - t0)}, recovery ${secs(tRecovered - tHealed)}, drain ${secs(tDrained - tRecovered)}, check ${secs(tChecked - tDrained)})`);
      const messages = new Map<string, number>();
      for (const e of workload.errors.slice(before.errors)) {
        const key = `${e.fault ?? 'after heal'}: ${e.message.replace(/\b[0-9a-f]{8}-[0-9a-f-]{27}\b|\d+/g, 'N').slice(0, 160)}`;
        messages.set(key, (messages.get(key) ?? 0) + 1);
      }
      for (const [m, n] of messages) log(`  ${n} x ${m}`);
      for (const v of stepViolations) log(`  VIOLATION (seed ${options.seed}, step ${step}): ${v}`);
      violations.push(...stepViolations.map((v) => `step ${step} (${plan.kind}): ${v}`));
    }
    // The end: every table written, checked once more.
    for (const [table, tlog] of workload.tables) {
      const found = await checker.check(table, tlog).catch((e: Error) => [`check: could not check ${table}: ${e.message}`]);
      violations.push(...found.map((v) => `final: ${v}`));
      for (const v of found) log(`  VIOLATION (seed ${options.seed}, final): ${v}`);
    }
  } catch (e) {
    for (const r of cluster.replicas) log(`# ---- ${r.name} stderr (last lines) ----\n${r.stderr().split('\n').slice(-30).join('\n')}`);
    throw e;
  } finally {
    await workload.stop();
    await cluster.stop();
    process.off('SIGINT', interrupt).off('SIGTERM', interrupt);
  }
  const report: CampaignReport = {
    seed: options.seed,
    iterations: stepsRun,
    violations,
    byKind,
    acked: workload.counts.acked,
    reads: workload.counts.reads,
    readBacks: workload.counts.readBacks,
    startFailures: [...cluster.startFailures],
    seconds: (Date.now() - started) / 1000,
  };
  for (const line of summaryLines(report)) log(line);
  return report;
}

/** Waits until every replica has a session, one leads, and a write is acknowledged; its time. */
async function recover(cluster: FaultCluster, workload: FaultWorkload, timeoutMs: number): Promise<number> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const statuses = await Promise.all(cluster.replicas.map((r) => r.status(2000).catch((e: Error) => e)));
    const sessions = statuses.map((s, i) => `${cluster.replicas[i]!.name}: ${s instanceof Error ? s.message.split('\n')[0] : `${s.session}${s.is_leader ? ' leader' : ''}`}`);
    last = sessions.join('; ');
    const ready = statuses.every((s) => !(s instanceof Error) && s.session === 'connected') && statuses.some((s) => !(s instanceof Error) && s.is_leader);
    if (ready) {
      const through = cluster.replicas[Math.floor(Math.random() * cluster.replicas.length)]!;
      if (await workload.write(through)) return Date.now() - started;
      last = `a write through ${through.name} failed: ${workload.errors.at(-1)?.message ?? ''}`;
    }
    await sleep(200);
  }
  throw new Error(`the cluster took no write within ${timeoutMs} ms of healing (${last})`);
}

/**
 * After a liveness failure: restart every replica that does not report a connected session, then
 * all of them if that is not enough, so the run goes on; false if even that failed.
 */
async function forceRecovery(cluster: FaultCluster, workload: FaultWorkload, log: (line: string) => void): Promise<boolean> {
  const stuck: FaultReplica[] = [];
  for (const r of cluster.replicas) {
    const s = await r.status(2000).catch(() => null);
    if (!s || s.session !== 'connected' || !r.running) stuck.push(r);
  }
  for (const round of [stuck, cluster.replicas]) {
    for (const r of round) {
      await r.kill();
      await cluster.startReplica(r, log);
    }
    try {
      await recover(cluster, workload, RECOVERY_TIMEOUT_MS);
      return true;
    } catch (e) {
      log(`# forced recovery (restarting ${round.map((r) => r.name).join(', ') || 'nothing'}) failed: ${(e as Error).message}`);
    }
  }
  return false;
}


/**
 * A DoPut the full disk stopped must say so in a way a client can act on, as docs/operations.md
 * promises: RESOURCE_EXHAUSTED naming the full disk ("nothing was committed"), never INTERNAL.
 */
function diskFullAnswers(workload: FaultWorkload, from: number, kind: FaultKind): string[] {
  if (kind !== 'disk-full') return [];
  const out: string[] = [];
  for (const e of workload.errors.slice(from)) {
    if (e.fault !== 'disk-full') continue;
    const mentionsSpace = /ENOSPC|no space|is full/i.test(e.message);
    if (e.code === 'INTERNAL' || e.code === 'UNKNOWN' || (mentionsSpace && e.code !== 'RESOURCE_EXHAUSTED')) out.push(`disk full: write ${e.id} answered ${e.message.slice(0, 300)}`);
  }
  return out;
}

/** Every replica's whole log, into QUIVER_FAULT_LOGS (a directory) when set, for the root cause. */
function dumpLogs(cluster: FaultCluster, seed: number, step: number, log: (line: string) => void): void {
  const dir = process.env.QUIVER_FAULT_LOGS;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  for (const r of cluster.replicas) fs.writeFileSync(path.join(dir, `seed${seed}-step${step}-${r.name}.log`), r.stderr());
  log(`# replica logs written to ${dir}/seed${seed}-step${step}-*.log`);
}

const secs = (ms: number) => (ms / 1000).toFixed(1);

export function summaryLines(r: CampaignReport): string[] {
  const lines = [`# fault campaign summary: seed ${r.seed}, ${r.iterations} iterations in ${r.seconds.toFixed(0)} s; ${r.acked} acknowledged writes, ${r.reads} checked reads (${r.readBacks} read-your-writes); ${r.violations.length} violations`];
  for (const f of r.startFailures) lines.push(`# a replica failed to start (started again): ${f}`);
  lines.push('# kind             steps  acked refused unknown violations max-recovery-ms  failed writes during the fault');
  for (const [kind, s] of r.byKind) {
    lines.push(`# ${kind.padEnd(16)} ${String(s.steps).padStart(5)} ${String(s.acked).padStart(6)} ${String(s.refused).padStart(7)} ${String(s.unknown).padStart(7)} ${String(s.violations).padStart(10)} ${String(s.maxRecoveryMs).padStart(15)}  ${JSON.stringify(s.codes)}`);
  }
  return lines;
}

function parseArgs(argv: string[]): CampaignOptions {
  const value = (flag: string) => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const iterations = Number(value('--iterations') ?? 20);
  const seed = Number(value('--seed') ?? (Date.now() % 1_000_000));
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error('--iterations takes a positive integer');
  if (!Number.isInteger(seed) || seed < 0) throw new Error('--seed takes a non-negative integer');
  return { iterations, seed };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const options = parseArgs(process.argv.slice(2));
  console.log(`# seed ${options.seed} (rerun: npm run test:faults -- --iterations ${options.iterations} --seed ${options.seed})`);
  const report = await runCampaign(options).catch((e: unknown) => {
    console.error(e);
    process.exit(2);
  });
  process.exit(report.violations.length === 0 ? 0 : 1);
}
