// node:test wrapper for CI: runs the Arrow project's Flight integration clients (arrow-go and
// Arrow Java), pyarrow.flight and quiver/client in JSON mode against the real quiver server over
// every case of the arrow-ipc corpus, and in scenario mode against the scenario server
// (test/conformance/scenario-server), through test/conformance/runner/run-integration.ts, and turns
// each case x client into a test. A failing applicable case fails the run; a case the client
// itself cannot run is skipped with the reason recorded in client-limits.ts. A full run (no
// QUIVER_CONFORMANCE_ARGS) also checks that docs/conformance.md's table is what it found.
//
//   node scripts/test-node.mjs test/conformance/arrow-integration.conformance.ts
//
// Not named *.test.ts on purpose: it installs Go and Maven artifacts on first use (cached under
// .cache/) and takes a few minutes, so it runs as its own step rather than inside test:node.
// Environment:
//   QUIVER_CONFORMANCE_ARGS   extra runner options, e.g. "--cases primitive --clients java" or
//                             "--modes scenario --scenarios expiration"
//   QUIVER_CONFORMANCE_ALLOW_MISSING=1   skip (instead of fail) clients whose toolchain is absent
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { markdownTable, runIntegration } from '../../test/conformance/runner/run-integration.ts';
import { goScenarioBinary, javaScenarioCommand, scenarioClientInstalled } from '../../test/conformance/runner/clients.ts';
import { OWN_SCENARIO_CLIENTS, SCENARIO_CANNOT_RUN } from './client-limits.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const extra = (process.env.QUIVER_CONFORMANCE_ARGS ?? '').split(/\s+/).filter(Boolean);
const full = extra.length === 0;
const report = await runIntegration([
  '--out', path.join(repo, '.cache/conformance/integration-results.json'),
  '--markdown', path.join(repo, '.cache/conformance/integration-results.md'),
  // Two client runs at once (each with its own server) keep the whole step near 2.5 min.
  '--jobs', '2',
  ...(full ? ['--check'] : []),
  ...extra,
]);
process.stderr.write(`\n${markdownTable(report)}\n`);

test('the corpus has cases to run', () => {
  assert.ok(report.cases.length > 0, `no .json.gz files under ${report.corpus}`);
});

test('docs/conformance.md\'s conformance table is what this run found', { skip: full ? false : 'a partial run (QUIVER_CONFORMANCE_ARGS) cannot vouch for the whole table' }, () => {
  assert.equal(report.readmeStale, null, report.readmeStale ?? '');
});

test('the pyarrow scenario client and client-limits.ts agree on what pyarrow cannot express', () => {
  const out = spawnSync(process.env.PYTHON ?? 'python3', [path.join(repo, 'test/conformance/runner/py_scenario_client.py'), '--cannot-express'], { encoding: 'utf8' });
  if (out.status !== 0) return; // pyarrow absent: its column is "not installed" and fails above
  assert.deepEqual(JSON.parse(out.stdout), SCENARIO_CANNOT_RUN.python);
});

// The table credits these cells to our clients: each must have exactly the scenarios listed for it.
for (const [id, cmd] of [['go', () => [goScenarioBinary()]], ['java', javaScenarioCommand]] as const) {
  const own = OWN_SCENARIO_CLIENTS[id]!;
  test(`our ${id} scenario client has exactly the scenarios client-limits.ts gives it`, { skip: scenarioClientInstalled(id, own.scenarios[0]!) ? false : 'not built' }, () => {
    const [bin, ...args] = cmd();
    const out = spawnSync(bin!, [...args, '-list'], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(out.stdout.trim().split('\n').sort(), [...own.scenarios].sort());
  });
}

for (const r of report.results) {
  const name = `${r.client}: ${r.case}`;
  if (r.outcome === 'cannot-run') {
    test(name, { skip: `the client cannot run this case: ${r.reason}` }, () => {});
  } else if (r.outcome === 'not-installed') {
    if (process.env.QUIVER_CONFORMANCE_ALLOW_MISSING === '1') test(name, { skip: r.reason }, () => {});
    else test(name, () => assert.fail(r.reason));
  } else {
    test(name, () => {
      if (r.outcome === 'fail') {
        assert.fail(`${r.reason}\n--- client output ---\n${r.output ?? ''}\n--- quiver stderr ---\n${r.serverLog ?? ''}`);
      }
    });
  }
}
