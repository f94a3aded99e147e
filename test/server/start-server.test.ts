// quiver/server's startServer(): an embedded server a test suite starts in-process, reached with
// quiver/client over real gRPC, on a free port and a temporary data directory it cleans up.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { tableFromArrays } from 'apache-arrow';
import { FlightClient } from '../../src/client/index.ts';
import { startServer } from '../../src/server/index.ts';

/** Resolves true when something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

test('startServer serves a table to quiver/client, then releases its port and temporary directory', async () => {
  const server = await startServer();
  try {
    assert.equal(server.location, `grpc+tcp://127.0.0.1:${server.port}`);
    assert.ok(server.port > 0);
    assert.ok(server.dataDir.startsWith(os.tmpdir()), server.dataDir);
    assert.ok(fs.statSync(server.dataDir).isDirectory());
    const client = await FlightClient.connect(server.location);
    try {
      const outcome = await client.doPut('people', tableFromArrays({ id: Int32Array.from([1, 2, 3]), name: ['a', 'b', 'c'] }));
      assert.equal(JSON.parse(String(outcome.trailers.get('quiver-commit')[0])).version, 1);
      const table = await client.readTable('people');
      assert.deepEqual(table.toArray().map((r) => r.toJSON()), [{ id: 1, name: 'a' }, { id: 2, name: 'b' }, { id: 3, name: 'c' }]);
    } finally {
      client.close();
    }
    assert.equal(await listening(server.port), true);
  } finally {
    await server.close();
  }
  assert.equal(await listening(server.port), false);
  assert.equal(fs.existsSync(server.dataDir), false);
  await server.close(); // a second close is harmless
});

test('two embedded servers at once get different ports and directories', async () => {
  const [a, b] = await Promise.all([startServer(), startServer()]);
  try {
    assert.notEqual(a.port, b.port);
    assert.notEqual(a.dataDir, b.dataDir);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('a data directory the caller names is used and kept', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-own-'));
  try {
    const server = await startServer({ data: dir, compression: 'snappy' });
    try {
      assert.equal(server.dataDir, dir);
      const client = await FlightClient.connect(server.location);
      await client.doPut('t', tableFromArrays({ x: Float64Array.from([1.5]) })).finally(() => client.close());
    } finally {
      await server.close();
    }
    assert.ok(fs.readdirSync(dir).length > 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('options go through the same checks as quiver serve flags', async () => {
  await assert.rejects(startServer({ compression: 'rar' as never }), /--compression must be one of/);
  await assert.rejects(startServer({ port: -1 }), /--port must be an integer >= 0/);
  await assert.rejects(startServer({ nonsense: 1 } as never), /unknown option "nonsense"/);
});
