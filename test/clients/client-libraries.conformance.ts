// node:test wrapper for CI: runs pyarrow, arrow-go and Arrow Java as Flight client libraries
// against real quiver servers over plain TCP, TLS and mutual TLS (test/clients/runner/run-clients.ts)
// and turns each client x transport x check into a test. What each check does:
// test/clients/README.md.
//
//   node scripts/test-node.mjs test/clients/client-libraries.conformance.ts     (npm run test:clients)
//
// Not named *.test.ts on purpose: its setup builds Go and Java programs on first use (cached
// under .cache/), so it runs as its own step rather than inside test:node.
// Environment:
//   QUIVER_CLIENTS_ARGS            extra driver options, e.g. "--clients go --transports mtls"
//   QUIVER_CLIENTS_ALLOW_MISSING=1 skip (instead of fail) clients whose toolchain is absent
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resultsTable, runClients } from '../../test/clients/runner/run-clients.ts';

const extra = (process.env.QUIVER_CLIENTS_ARGS ?? '').split(/\s+/).filter(Boolean);
const report = await runClients(extra);
process.stderr.write(`\n${resultsTable(report)}\n`);

test('there are checks to run', () => {
  assert.ok(report.results.length > 0, 'no client x transport x check ran');
});

for (const r of report.results) {
  const name = `${r.client} over ${r.transport}: ${r.check}`;
  if (r.outcome === 'not-installed') {
    if (process.env.QUIVER_CLIENTS_ALLOW_MISSING === '1') test(name, { skip: r.detail }, () => {});
    else test(name, () => assert.fail(r.detail));
  } else {
    test(name, () => {
      if (r.outcome === 'fail') assert.fail(`${r.detail}\n--- client output ---\n${r.output ?? ''}\n--- quiver stderr ---\n${r.serverLog ?? ''}`);
    });
  }
}
