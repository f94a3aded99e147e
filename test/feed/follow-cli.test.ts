// `quiver get TABLE --follow`: CSV rows on stdout as commits land, and -o FILE.arrows appending
// to an Arrow stream file that a second run continues; both until interrupted (SIGINT).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { RecordBatchReader, tableFromArrays } from 'apache-arrow';
import { FlightClient } from '../../src/client/index.ts';
import { PROJECT_ROOT, startQuiver, tempDir, type QuiverProcess } from '../harness/quiver-process.ts';

let server: QuiverProcess;
let client: FlightClient;
before(async () => {
  server = await startQuiver();
  client = new FlightClient(`grpc+tcp://${server.address}`);
});
after(async () => {
  client?.close();
  await server?.stop();
});

const put = (ids: number[]) => client.doPut('cli', tableFromArrays({ id: Int32Array.from(ids) }));

/** Runs `quiver get ... --follow` (and `meanwhile`) until `until(stdout, stderr)` holds, then sends SIGINT; resolves with its output and exit code. */
function followUntil(args: string[], until: (out: string, err: string) => boolean, meanwhile: () => Promise<void>): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin/quiver.js'), 'get', 'cli', '--follow', '--server', `grpc+tcp://${server.address}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let stopped = false;
  const check = () => {
    if (!stopped && until(out, err)) {
      stopped = true;
      child.kill('SIGINT');
    }
  };
  child.stdout.on('data', (d) => ((out += d), check()));
  child.stderr.on('data', (d) => ((err += d), check()));
  // --from-version pins where the follow starts, so commits made before it connects are not missed.
  void meanwhile();
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => child.on('close', (code) => (clearTimeout(timer), resolve({ code, out, err }))));
}

test('--follow prints the rows of each commit as CSV, a line per version on stderr, until interrupted', async () => {
  await put([1, 2]);
  const r = await followUntil(['--from-version', '1'], (out) => out.includes('\n5\n'), async () => {
    await put([3]);
    await put([4, 5]);
  });
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'id\n1\n2\n3\n4\n5\n');
  assert.match(r.err, /^version 1 \(create; 2 rows; committed \S+\)$/m);
  assert.match(r.err, /^version 3 \(append; 2 rows; committed \S+\)$/m);
});

test('--follow -o FILE.arrows appends to an Arrow stream file; a second run continues it', async () => {
  const file = path.join(tempDir('quiver-follow-cli-'), 'cli.arrows');
  const first = await followUntil(['--from-version', '1', '-o', file], (_, err) => /version 3 /.test(err), async () => {});
  assert.equal(first.code, 0, first.err);
  assert.match(first.err, /appended 5 rows/);
  const second = await followUntil(['--from-version', '4', '-o', file], (_, err) => /version 5 /.test(err), async () => {
    await put([6]);
    await put([7, 8]);
  });
  assert.equal(second.code, 0, second.err);
  const reader = RecordBatchReader.from(fs.readFileSync(file));
  const ids = [...reader].flatMap((b) => [...b.getChild('id')!.toArray()]);
  assert.deepEqual(ids, [1, 2, 3, 4, 5, 6, 7, 8]);
});

test('--follow refuses --version and file formats other than an Arrow stream', async () => {
  for (const args of [['--version', '1'], ['-o', 'x.parquet'], ['--format', 'arrow']]) {
    const r = await followUntil(args, () => false, async () => {});
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
  }
});
