// The CLI's contract with scripts: --help everywhere, exit code 2 for usage errors, 1 for
// server and data errors, and messages that say what to do next.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCli } from '../harness/cli-process.ts';

const COMMANDS = ['put', 'get', 'ls', 'info', 'history', 'drop'];

describe('quiver CLI usage', () => {
  test('every client command has --help listing connection options and exit codes', async () => {
    const results = await Promise.all(COMMANDS.map((c) => runCli([c, '--help'])));
    results.forEach((r, i) => {
      assert.equal(r.code, 0, `${COMMANDS[i]} --help`);
      assert.match(r.stdout, new RegExp(`^Usage: quiver ${COMMANDS[i]} `));
      for (const flag of ['--server', '--user', '--password', '--token', '--tls-ca', '--tls-cert', '--tls-key']) assert.ok(r.stdout.includes(flag), `${COMMANDS[i]} --help mentions ${flag}`);
      assert.match(r.stdout, /Exit codes: 0 success, 1 server or data error, 2 usage error/);
    });
  });

  test('quiver --help lists the commands', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    for (const c of ['serve', ...COMMANDS]) assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
  });

  test('usage errors exit 2 and point at --help', async () => {
    const cases = [
      ['get'],
      ['ls', '--no-such-option'],
      ['put', 't', 'x.csv', '--mode', 'upsert'],
      ['put', 't', 'data.xlsx'],
      ['get', 't', '-o', 'out.xlsx'],
      ['ls', '--user', 'alice'],
      ['ls', '--server', 'http://localhost:1'],
      ['nonsense'],
    ];
    const results = await Promise.all(cases.map((args) => runCli(args, { env: { QUIVER_SERVER: 'grpc+tcp://127.0.0.1:1' } })));
    results.forEach((r, i) => {
      assert.equal(r.code, 2, `${cases[i]!.join(' ')}: ${r.stderr}`);
      assert.notEqual(r.stderr, '');
    });
    assert.match(results[0]!.stderr, /quiver get --help/);
    assert.match(results[2]!.stderr, /--mode must be one of append, overwrite, create/);
    assert.match(results[3]!.stderr, /\.parquet, \.arrow\/\.feather/);
  });

  test('an unreachable server exits 1 and says how to fix it', async () => {
    const r = await runCli(['ls'], { env: { QUIVER_SERVER: 'grpc+tcp://127.0.0.1:1' } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /UNAVAILABLE/);
    assert.match(r.stderr, /quiver serve/);
    assert.match(r.stderr, /QUIVER_SERVER/);
  });
});
