// The seeded IPC fuzzer (test/arrow/fuzz/ipc-fuzzer.ts) against a real server: at least
// 10,000 mutated streams, each refused with INVALID_ARGUMENT or accepted and then read back
// by pyarrow passing validate(full=True); the server keeps serving (issue 9, item 2).
// QUIVER_FUZZ_ITERATIONS and QUIVER_FUZZ_SEED change the run; a failure prints the seed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runFuzz } from './fuzz/ipc-fuzzer.ts';

const iterations = Number(process.env.QUIVER_FUZZ_ITERATIONS ?? 10_000);
const seed = Number(process.env.QUIVER_FUZZ_SEED ?? 20261202);

test(`${iterations} mutated IPC streams (seed ${seed}) are refused as INVALID_ARGUMENT or read back valid`, { timeout: 15 * 60_000 }, async () => {
  const report = await runFuzz({ iterations, seed, log: (line) => console.log(`# ${line}`) });
  console.log(`# ${report.variants} variants in ${report.seconds} s: ${report.accepted} accepted, ${report.refused} refused, ${report.acceptedOnPurpose} accepted with decimals beyond their precision or date64 values within a day`);
  assert.equal(report.variants, iterations);
  assert.deepEqual(report.wrongStatus, [], `variants answered with another status (seed ${seed})`);
  assert.deepEqual(report.invalidReadback, [], `accepted variants pyarrow cannot read or validate (seed ${seed})`);
  assert.ok(report.serverAlive, 'the server stopped serving');
  assert.ok(report.refused > iterations / 10 && report.accepted > iterations / 10, 'the mutations should both break and spare streams');
});
