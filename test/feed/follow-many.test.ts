// Many followers from one process, on a server with the default limit of streams per
// connection (100): every follower receives every commit, and the process's other calls (the
// writes) are not queued behind the follow streams. grpc-js puts every client of one address on
// one shared connection and queues a call past the server's stream limit without a timeout, so
// before follows had connections of their own (src/client/follow-connections.ts), 100 followers
// left the writer's DoPut waiting forever (bench:follow hung at 100 followers).
import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { tableFromArrays } from 'apache-arrow';
import { FlightClient } from '../../src/client/index.ts';
import { FOLLOWS_PER_CONNECTION } from '../../src/client/follow-connections.ts';
import { startServer, type StartedServer } from '../../src/server/index.ts';

const rows = (v: number) => tableFromArrays({ v: Int32Array.from([v]) });

/** Starts `n` followers of `table` from version 2, spread over `clients`; resolves when each has seen `last`. */
function follow(clients: FlightClient[], table: string, n: number, last: number, signal: AbortSignal): { done: Promise<number[][]>; opened: () => number } {
  let opened = 0;
  const done = Promise.all(Array.from({ length: n }, async (_, i) => {
    const seen: number[] = [];
    for await (const item of clients[i % clients.length]!.follow(table, { fromVersion: 2, signal, reconnectForMs: 0 })) {
      if (!item.batch) {
        if (seen.length === 0 && item.version === 2) opened += 1;
        continue;
      }
      const v = item.batch.getChild('v')!.get(0) as number;
      seen.push(v);
      if (v === last) break;
    }
    return seen;
  }));
  return { done, opened: () => opened };
}

describe('many followers from one process', () => {
  let server: StartedServer;

  before(async () => {
    server = await startServer({ maintenanceIntervalMs: 0 });
  });
  after(async () => {
    await server?.close();
  });

  test('120 followers on one client, which also writes: every follower gets every commit', { timeout: 120_000 }, async () => {
    const client = new FlightClient(server.location);
    const stop = new AbortController();
    setMaxListeners(0, stop.signal);
    try {
      await client.doPut('many', rows(0));
      const { done } = follow([client], 'many', 120, 3, stop.signal);
      // Version 2 is committed while the follows are still opening; 3 and 4 after they all are.
      for (let v = 1; v <= 3; v++) await client.doPut('many', rows(v));
      const seen = await done;
      assert.equal(seen.length, 120);
      for (const s of seen) assert.deepEqual(s, [1, 2, 3]);
    } finally {
      stop.abort();
      client.close();
    }
  });

  test('100 followers over 8 clients of one address (grpc-js shares their connection) and a writer: all receive each commit', { timeout: 120_000 }, async () => {
    const writer = new FlightClient(server.location);
    const clients = Array.from({ length: 8 }, () => new FlightClient(server.location));
    const stop = new AbortController();
    setMaxListeners(0, stop.signal);
    try {
      await writer.doPut('many8', rows(0));
      const { done, opened } = follow(clients, 'many8', 100, 2, stop.signal);
      await writer.doPut('many8', rows(1));
      // Every stream open (each saw version 2) before the next commit: 100 streams are held at once.
      while (opened() < 100) await new Promise((r) => setTimeout(r, 20));
      await writer.doPut('many8', rows(2));
      for (const s of await done) assert.deepEqual(s, [1, 2]);
    } finally {
      stop.abort();
      writer.close();
      for (const c of clients) c.close();
    }
  });

  test('follow connections carry at most FOLLOWS_PER_CONNECTION streams each and close with their last follow', { timeout: 60_000 }, async () => {
    const client = new FlightClient(server.location);
    const stop = new AbortController();
    setMaxListeners(0, stop.signal);
    const connections = () => (client as unknown as { follows: { connections: Array<{ streams: number }> } }).follows.connections;
    try {
      await client.doPut('spread', rows(0));
      const n = 2 * FOLLOWS_PER_CONNECTION + 1;
      const { done, opened } = follow([client], 'spread', n, 2, stop.signal);
      await client.doPut('spread', rows(1));
      while (opened() < n) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(connections().map((c) => c.streams).sort((a, b) => b - a), [FOLLOWS_PER_CONNECTION, FOLLOWS_PER_CONNECTION, 1]);
      await client.doPut('spread', rows(2));
      await done;
      assert.deepEqual(connections(), []);
    } finally {
      stop.abort();
      client.close();
    }
  });
});
