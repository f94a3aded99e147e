// A DoPut that meets a full disk while staging its batches: the client is told RESOURCE_EXHAUSTED,
// the data root is full and nothing was committed (an answer it can act on, not INTERNAL), the
// table keeps its last version, and once there is room again the next write is the next version.
// A real full filesystem: a small tmpfs as the data root, filled to the last byte (root only).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { after, test } from 'node:test';
import { Table, makeVector, vectorFromArray } from 'apache-arrow';
import { FlightClient, FlightError, GrpcStatus } from '../../src/client/index.ts';
import { startServer } from '../../src/server/index.ts';
import { tempDir } from '../harness/quiver-process.ts';
import { fillFilesystem } from './fault-cluster.ts';

const dir = tempDir('quiver-diskfull-');
let mounted = false;
if (process.platform === 'linux' && process.getuid?.() === 0) {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir], { stdio: 'pipe' });
    mounted = true;
  } catch {
    // no tmpfs here: skipped below
  }
}
after(() => {
  if (mounted) execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  fs.rmSync(dir, { recursive: true, force: true });
});

const rows = (n: number, from: number) => new Table({ id: makeVector(Int32Array.from({ length: n }, (_, i) => from + i)), pad: vectorFromArray(Array.from({ length: n }, () => 'x'.repeat(100))) });

test('a full disk while staging a DoPut: RESOURCE_EXHAUSTED "nothing was committed", the last version stays, the next write follows it', { skip: mounted ? false : 'needs root to mount a tmpfs' }, async () => {
  const server = await startServer({ data: dir });
  const client = new FlightClient(server.location);
  try {
    await client.doPut('t', rows(100, 0));
    const ballast = fillFilesystem(dir);
    const refused = await client.doPut('t', rows(20_000, 1000)).then(() => null, (e: unknown) => e);
    assert.ok(refused instanceof FlightError, `a DoPut onto a full disk was ${refused === null ? 'acknowledged' : String(refused)}`);
    assert.equal(refused.code, GrpcStatus.RESOURCE_EXHAUSTED, refused.message);
    assert.match(refused.message, /the data root is full/);
    assert.match(refused.message, /nothing was committed/);
    const kept = await client.readTable('t');
    assert.equal(kept.numRows, 100, 'the table keeps its last version, none of the refused rows');
    fs.rmSync(ballast, { recursive: true });
    const next = await client.doPut('t', rows(10, 50_000));
    assert.equal(JSON.parse(String(next.trailers.get('quiver-commit')[0])).version, 2, 'the next write is the next version');
    const after = await client.readTable('t');
    assert.deepEqual([...after.getChild('id')!.toArray() as Int32Array].sort((a, b) => a - b).slice(-10), Array.from({ length: 10 }, (_, i) => 50_000 + i));
    assert.equal(after.numRows, 110);
  } finally {
    client.close();
    await server.close();
  }
});
