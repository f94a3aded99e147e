// `quiver ls`, `info`, `history` and `drop`, and credentials on client commands.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FlightClient } from '../../src/client/index.ts';
import { runCli } from '../harness/cli-process.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';
import { sampleTable } from '../harness/flight-tables.ts';

describe('quiver ls, info, history, drop', () => {
  let server: QuiverProcess;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => runCli(args, { env });

  before(async () => {
    server = await startQuiver();
    env = { QUIVER_SERVER: `grpc+tcp://${server.address}` };
    const client = new FlightClient(env.QUIVER_SERVER!);
    await client.doPut('sales/2024', sampleTable(2, 5));
    await client.doPut('sales/2024', sampleTable(1, 5));
    await client.doPut('users', sampleTable(1, 3));
    client.close();
  });
  after(() => server.stop());

  test('ls lists tables with rows and size, as text or JSON, filtered by prefix', async () => {
    const [text, json, prefixed] = await Promise.all([cli('ls'), cli('ls', '--json'), cli('ls', 'sales/', '--json')]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^TABLE +ROWS +SIZE\nsales\/2024 +15 +\S+ \S*B\nusers +3 /);
    assert.deepEqual(json.stdout.trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.table, r.rows]), [['sales/2024', 15], ['users', 3]]);
    assert.deepEqual(prefixed.stdout.trim().split('\n').map((l) => JSON.parse(l).table), ['sales/2024']);
  });

  test('info shows schema, version, rows, size, files and storage format', async () => {
    const [text, json] = await Promise.all([cli('info', 'sales/2024'), cli('info', 'sales/2024', '--json')]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^table +sales\/2024$/m);
    assert.match(text.stdout, /^version +2 \(2 retained: 1\.\.2\), committed /m);
    assert.match(text.stdout, /^rows +15$/m);
    assert.match(text.stdout, /^files +\d+$/m);
    assert.match(text.stdout, /^storage +(parquet|arrow-stream)/m);
    assert.match(text.stdout, /^schema\n  id: Int32( not null)?\n  name: Utf8( not null)?\n  score: Float64( not null)?$/m);
    const summary = JSON.parse(json.stdout);
    assert.equal(summary.version, 2);
    assert.deepEqual(summary.versions, [1, 2]);
    assert.equal(summary.rows, 15);
    assert.ok(summary.files >= 1);
    assert.ok(summary.bytes > 0);
  });

  test('history lists every version', async () => {
    const [text, json] = await Promise.all([cli('history', 'sales/2024'), cli('history', 'sales/2024', '--json')]);
    assert.match(text.stdout, /^VERSION +OPERATION +COMMITTED +ROWS +ADDED +FILES +SIZE\n +1 +create .* 10 +10 .*\n +2 +append .* 15 +5 /);
    assert.deepEqual(json.stdout.trim().split('\n').map((l) => JSON.parse(l).version), [1, 2]);
  });

  test('drop removes a table; using it afterwards exits 1 with a hint', async () => {
    const drop = await cli('drop', 'users');
    assert.equal(drop.code, 0, drop.stderr);
    assert.equal(drop.stdout, 'dropped users\n');
    const [info, again] = await Promise.all([cli('info', 'users'), cli('drop', 'users')]);
    for (const r of [info, again]) {
      assert.equal(r.code, 1);
      assert.match(r.stderr, /"users" does not exist.*\(NOT_FOUND\)\nhint: `quiver ls` lists the tables/);
    }
  });
});

describe('quiver client commands with credentials', () => {
  let server: QuiverProcess;
  let server_: string;
  before(async () => {
    server = await startQuiver(['--auth', 'basic:carol:pa55']);
    server_ = `grpc+tcp://${server.address}`;
  });
  after(() => server.stop());

  test('--user/--password and QUIVER_USER/QUIVER_PASSWORD authenticate; none or wrong ones exit 1 with a hint', async () => {
    const [flags, fromEnv, none, wrong] = await Promise.all([
      runCli(['ls', '--server', server_, '--user', 'carol', '--password', 'pa55']),
      runCli(['ls'], { env: { QUIVER_SERVER: server_, QUIVER_USER: 'carol', QUIVER_PASSWORD: 'pa55' } }),
      runCli(['ls', '--server', server_]),
      runCli(['ls', '--server', server_, '--user', 'carol', '--password', 'nope']),
    ]);
    assert.equal(flags.code, 0, flags.stderr);
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    for (const r of [none, wrong]) {
      assert.equal(r.code, 1);
      assert.match(r.stderr, /UNAUTHENTICATED/);
      assert.match(r.stderr, /hint: pass --user and --password/);
    }
  });
});
