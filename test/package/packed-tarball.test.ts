// The package as users get it: `npm pack`, installed with --omit=dev into an empty project, must
// serve (`npx quiver serve`), import from plain JavaScript (quiver/client, quiver/server) and
// carry no development tools (tsx, typescript) and none of the repository's tests or scripts.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { after, before, test } from 'node:test';
import { PROJECT_ROOT, tempDir } from '../harness/quiver-process.ts';

let project = '';
let tarball = '';
let work = '';

before(() => {
  // test-node.mjs has made build/ current; --ignore-scripts skips prepack's clean rebuild.
  work = tempDir('quiver-pack-');
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: PROJECT_ROOT, encoding: 'utf8' })) as [{ filename: string }];
  tarball = path.join(work, packed[0].filename);
  project = path.join(work, 'consumer');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  execFileSync('npm', ['install', tarball, '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, stdio: ['ignore', 'ignore', 'inherit'] });
});

after(() => fs.rmSync(work, { recursive: true, force: true }));

const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: project, encoding: 'utf8' });

test('the tarball holds the build, the protos and the bin, and no sources, tests or scripts', () => {
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
  for (const f of ['bin/quiver.js', 'build/cli/main.js', 'build/client/index.js', 'build/client/index.d.ts', 'build/server/index.js', 'build/server/index.d.ts', 'build/storage/parquet-worker.js', 'proto/Flight.proto', 'package.json', 'README.md']) {
    assert.ok(files.includes(f), `${f} missing from the tarball`);
  }
  assert.deepEqual(files.filter((f) => /^(src|test|scripts|bench|docs)\//.test(f) || f.startsWith('build/.')), []);
});

test('the installed tree has no tsx or typescript', () => {
  const modules = fs.readdirSync(path.join(project, 'node_modules'));
  assert.ok(modules.includes('quiver'));
  assert.ok(!modules.includes('tsx'));
  assert.ok(!modules.includes('typescript'));
});

/** Starts `command serve` in the project; resolves its first stdout line and how it ended. */
async function serveUntilListening(command: string, args: string[]) {
  // Its own process group: npx runs the bin through a shell and does not pass signals on, so
  // SIGTERM goes to the whole group, as a terminal's Ctrl-C or a container stop would.
  const child = spawn(command, [...args, 'serve', '--port', '0', '--host', '127.0.0.1', '--data', path.join(work, 'served')], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // The pipe closes once every process of the group holding it (the server last) has ended.
  const closed = Promise.all([child.stdout, child.stderr].map((pipe) => new Promise((resolve) => pipe.on('close', resolve))));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`quiver exited with ${code} before listening:\n${err}`)));
    });
    return { line, err: () => err, exited, closed };
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
  }
}

test('npx quiver serve --port 0 prints its listening line and drains on SIGTERM', async () => {
  const run = await serveUntilListening('npx', ['--no-install', 'quiver']);
  assert.match(run.line, /^Server listening on localhost:\d+$/);
  await run.closed;
  assert.match(run.err(), /shutting down/);
  assert.doesNotMatch(run.err(), /ERROR/);
});

test('the installed quiver bin exits 0 on SIGTERM', async () => {
  const run = await serveUntilListening(path.join(project, 'node_modules/.bin/quiver'), []);
  assert.match(run.line, /^Server listening on localhost:\d+$/);
  assert.equal(await run.exited, 0, run.err());
});

test('plain JavaScript imports quiver/client', () => {
  assert.equal(node(['--input-type=module', '-e', "import { FlightClient } from 'quiver/client'; console.log(typeof FlightClient)"]).trim(), 'function');
});

test('plain JavaScript starts an embedded server and writes and reads a table through it', () => {
  const script = `
    import { tableFromArrays } from 'apache-arrow';
    import { FlightClient } from 'quiver/client';
    import { startServer } from 'quiver/server';
    const server = await startServer();
    const client = await FlightClient.connect(server.location);
    await client.doPut('people', tableFromArrays({ id: Int32Array.from([1, 2, 3]) }));
    const table = await client.readTable('people');
    client.close();
    await server.close();
    console.log(JSON.stringify(table.toArray().map((r) => r.id)));
  `;
  fs.writeFileSync(path.join(project, 'roundtrip.js'), script);
  assert.equal(node(['roundtrip.js']).trim(), '[1,2,3]');
});
