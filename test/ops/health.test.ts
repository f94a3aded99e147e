// grpc.health.v1 through a real health client against real `quiver serve` processes: what each
// service name reports, Watch hearing every change, and the conditions that make a replica
// NOT_SERVING: an unwritable data root, read-only (writes only), a lost ZooKeeper session
// (ZooKeeper frozen with SIGSTOP) and a drain after SIGTERM, seen before the port closes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import { startZooKeeper, zooKeeperInstalled } from '../harness/zookeeper.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';
import { HealthClient, waitForCheck } from './health-client.ts';

const OVERALL = '';
const FLIGHT = 'arrow.flight.protocol.FlightService';
const WRITES = 'quiver.Writes';
/** Generous: waiting for an event, never asserting how long it took. */
const EVENT_MS = 30_000;

const started: QuiverProcess[] = [];
after(async () => {
  for (const p of started) await p.stop('SIGKILL');
});

async function serve(args: string[] = []): Promise<{ proc: QuiverProcess; health: HealthClient }> {
  const proc = await startQuiver(args);
  started.push(proc);
  return { proc, health: new HealthClient(proc.address) };
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('health', () => {
  test('a healthy server reports SERVING for the whole server, Flight and writes; an unknown name is NOT_FOUND', async () => {
    const { health } = await serve();
    try {
      assert.equal(await health.check(OVERALL), 'SERVING');
      assert.equal(await health.check(FLIGHT), 'SERVING');
      assert.equal(await health.check(WRITES), 'SERVING');
      await assert.rejects(health.check('no.such.Service'), (e: { code: number }) => e.code === 5);
    } finally {
      health.close();
    }
  });

  test('read-only stops writes only: quiver.Writes is NOT_SERVING, the server and Flight stay SERVING', async () => {
    const { health } = await serve(['--read-only', 'true']);
    try {
      assert.equal(await health.check(OVERALL), 'SERVING');
      assert.equal(await health.check(FLIGHT), 'SERVING');
      assert.equal(await health.check(WRITES), 'NOT_SERVING');
    } finally {
      health.close();
    }
  });

  test('a data root that stops taking writes turns every service NOT_SERVING, and back when it is restored', async () => {
    const { proc, health } = await serve();
    const watch = health.watch(OVERALL);
    const away = `${proc.dataDir}.away`;
    try {
      await watch.until((w) => w.last === 'SERVING', EVENT_MS, 'SERVING');
      // Root can write anywhere, so permissions prove nothing here: the root is replaced by a
      // plain file, as when a mount vanishes.
      fs.renameSync(proc.dataDir, away);
      fs.writeFileSync(proc.dataDir, 'not a directory');
      await watch.until((w) => w.last === 'NOT_SERVING', EVENT_MS, 'NOT_SERVING');
      assert.equal(await health.check(FLIGHT), 'NOT_SERVING');
      assert.equal(await health.check(WRITES), 'NOT_SERVING');
      fs.rmSync(proc.dataDir);
      fs.renameSync(away, proc.dataDir);
      await watch.until((w) => w.last === 'SERVING', EVENT_MS, 'SERVING again');
      assert.deepEqual(watch.seen, ['SERVING', 'NOT_SERVING', 'SERVING'], 'Watch sends each change once');
      assert.match(proc.stderr(), /data root is not writable/);
    } finally {
      watch.cancel();
      health.close();
      if (fs.existsSync(away)) {
        fs.rmSync(proc.dataDir, { force: true });
        fs.renameSync(away, proc.dataDir);
      }
    }
  });

  test('SIGTERM flips health to NOT_SERVING first: Watch and a new Check see it while the port is still open', async () => {
    const { proc, health } = await serve(['--drain-delay', '2s']);
    const watch = health.watch(OVERALL);
    try {
      await watch.until((w) => w.last === 'SERVING', EVENT_MS, 'SERVING');
      const exited = new Promise<number | null>((resolve) => proc.child.once('exit', resolve));
      proc.child.kill('SIGTERM');
      await watch.until((w) => w.last === 'NOT_SERVING', EVENT_MS, 'NOT_SERVING after SIGTERM');
      assert.equal(await portOpen(proc.port), true, 'the port is still open while health says NOT_SERVING');
      const fresh = new HealthClient(proc.address);
      try {
        assert.equal(await fresh.check(OVERALL), 'NOT_SERVING');
        assert.equal(await fresh.check(FLIGHT), 'NOT_SERVING');
      } finally {
        fresh.close();
      }
      // Then the port closes, the Watch stream ends and the process exits cleanly (the open
      // Watch does not hold the drain for the whole grace period).
      await watch.until((w) => w.ended !== null, EVENT_MS, 'the end of the Watch stream');
      assert.equal(await exited, 0);
      assert.equal(await portOpen(proc.port), false);
      assert.deepEqual(watch.seen, ['SERVING', 'NOT_SERVING']);
    } finally {
      watch.cancel();
      health.close();
    }
  });

  test('a replica whose ZooKeeper session is lost reports NOT_SERVING until a new session is up', { skip: zooKeeperInstalled() ? false : 'ZooKeeper not installed (node scripts/setup.mjs --zookeeper)' }, async () => {
    const zk = await startZooKeeper({ nodes: 1 });
    let health: HealthClient | null = null;
    try {
      const { health: h } = await serve(['--zk', zk.connect, '--cluster', `health${process.pid}`, '--zk-session-timeout', '2s']);
      health = h;
      const watch = health.watch(OVERALL);
      await watch.until((w) => w.last === 'SERVING', EVENT_MS, 'SERVING');
      zk.nodes[0]!.freeze();
      try {
        await watch.until((w) => w.last === 'NOT_SERVING', EVENT_MS, 'NOT_SERVING with ZooKeeper frozen');
        assert.equal(await health.check(FLIGHT), 'NOT_SERVING');
        assert.equal(await health.check(WRITES), 'NOT_SERVING');
      } finally {
        zk.nodes[0]!.thaw();
      }
      await watch.until((w) => w.last === 'SERVING', EVENT_MS, 'SERVING after ZooKeeper came back');
      await waitForCheck(health, WRITES, 'SERVING', EVENT_MS);
      watch.cancel();
    } finally {
      health?.close();
      for (const p of started.splice(0)) await p.stop('SIGKILL');
      await zk.stop();
    }
  });
});
