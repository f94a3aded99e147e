// The CLI on a terminal (a pseudo-terminal from util-linux `script`): `get` shows a preview
// table instead of dumping data, `put` draws a progress bar before its summary.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FlightClient } from '../../src/client/index.ts';
import { runCliOnTty } from '../harness/cli-process.ts';
import { startQuiver, tempDir, type QuiverProcess } from '../harness/quiver-process.ts';
import { sampleTable } from '../harness/flight-tables.ts';

describe('quiver on a terminal', () => {
  let server: QuiverProcess;
  let env: NodeJS.ProcessEnv;
  let dir: string;

  before(async () => {
    server = await startQuiver();
    env = { QUIVER_SERVER: `grpc+tcp://${server.address}` };
    dir = tempDir('quiver-tty-');
    const client = new FlightClient(env.QUIVER_SERVER!);
    await client.doPut('scores', sampleTable(5, 10));
    client.close();
    const rows = Array.from({ length: 5000 }, (_, i) => `${i},name ${i},${i / 4}`);
    fs.writeFileSync(path.join(dir, 'big.csv'), `id,name,score\n${rows.join('\n')}\n`);
  });
  after(async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('get without -o shows the first rows as an aligned table', async () => {
    const r = await runCliOnTty(['get', 'scores', '--limit', '3'], { env });
    assert.equal(r.code, 0, r.stdout);
    const lines = r.stdout.replaceAll('\r\n', '\n').trimEnd().split('\n');
    assert.match(lines[0]!, /^ *id +name +score$/);
    assert.match(lines[1]!, /^ *Int32 +Utf8 +Float64$/);
    assert.match(lines[2]!, /^-+$/);
    assert.match(lines[3]!, /^ +0 +row-0 +0$/);
    assert.match(lines[5]!, /^ +2 +row-2 +1$/);
    assert.equal(lines[6], '(3 of 50 rows; -o FILE saves them all)');
  });

  test('put draws a progress bar with rows, bytes and rate, then the summary', async () => {
    const r = await runCliOnTty(['put', 'big', path.join(dir, 'big.csv')], { env });
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /\r\[[#.]{24}\] +\d+%  [\d,]+ rows  [\d.]+ \S*B  [\d.]+ \S*B\/s/);
    assert.match(r.stdout, /put big: 1 file, 5,000 rows, .* version 1 \(create\)/);
  });
});
