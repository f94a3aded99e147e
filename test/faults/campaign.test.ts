// The fault campaign in CI: a bounded run of test/faults/campaign.ts (QUIVER_FAULT_ITERATIONS,
// default 7: one of each fault kind, in the seeded order of QUIVER_FAULT_SEED, default 1). Long
// runs are made by hand with `npm run test:faults -- --iterations N --seed S` (docs/reliability.md).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zooKeeperInstalled } from '../harness/zookeeper.ts';
import { runCampaign } from './campaign.ts';

const ITERATIONS = Number(process.env.QUIVER_FAULT_ITERATIONS ?? 7);
const SEED = Number(process.env.QUIVER_FAULT_SEED ?? 1);

test(`fault campaign, ${ITERATIONS} steps (seed ${SEED}): acknowledged writes survive every fault exactly once, refused ones never appear, no reader sees part of a commit`, { skip: zooKeeperInstalled() ? false : 'ZooKeeper is not installed (node scripts/setup.mjs --zookeeper)', timeout: 5 * 60_000 + ITERATIONS * 2 * 60_000 }, async (t) => {
  const report = await runCampaign({ iterations: ITERATIONS, seed: SEED, log: (line) => t.diagnostic(line) });
  assert.equal(report.iterations, ITERATIONS);
  assert.deepEqual(report.violations, [], `violations (rerun: npm run test:faults -- --iterations ${ITERATIONS} --seed ${SEED})`);
  assert.ok(report.acked > ITERATIONS, 'writes were acknowledged between the faults');
  if (ITERATIONS >= report.byKind.size) for (const [kind, s] of report.byKind) assert.ok(s.steps > 0, `no ${kind} step ran`);
});
