// `quiver cluster` shows each replica's health, as a load balancer would see it: two real
// replicas on a real ZooKeeper; one gets SIGTERM and, during its drain delay (still a member,
// port still open), the other replica's report lists it NOT_SERVING.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startZooKeeper, zooKeeperInstalled } from '../harness/zookeeper.ts';
import { runCli } from '../harness/cli-process.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';

const EVENT_MS = 30_000;

interface Report {
  health: { status: string; writes: string; problems: string[] };
  members: { location: string; health: string }[];
}

async function report(server: string): Promise<Report> {
  const r = await runCli(['cluster', '--server', server, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

async function until(what: string, ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + EVENT_MS;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what} not seen within ${EVENT_MS} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('cluster health', { skip: zooKeeperInstalled() ? false : 'ZooKeeper not installed (node scripts/setup.mjs --zookeeper)' }, () => {
  test('quiver cluster lists every member\'s health, and a draining one as NOT_SERVING', async () => {
    const zk = await startZooKeeper({ nodes: 1 });
    const procs: QuiverProcess[] = [];
    try {
      const cluster = `ch${process.pid}`;
      for (let i = 0; i < 2; i++) procs.push(await startQuiver(['--zk', zk.connect, '--cluster', cluster, '--zk-session-timeout', '4s', '--drain-delay', '15s']));
      const [a, b] = procs as [QuiverProcess, QuiverProcess];
      const locA = `grpc+tcp://127.0.0.1:${a.port}`;
      const locB = `grpc+tcp://127.0.0.1:${b.port}`;
      await until('both members SERVING', async () => {
        const r = await report(locA);
        return r.members.length === 2 && r.members.every((m) => m.health === 'SERVING');
      });
      const text = await runCli(['cluster', '--server', locA]);
      assert.match(text.stdout, /health SERVING, writes SERVING/);
      assert.match(text.stdout, /MEMBER\s+ROLE\s+HEALTH/);
      assert.match(text.stdout, new RegExp(`${locB.replace(/[+.]/g, '\\$&')}\\s+\\S+\\s+SERVING`));

      b.child.kill('SIGTERM');
      await until('the draining member NOT_SERVING', async () => {
        const r = await report(locA);
        return r.members.find((m) => m.location === locB)?.health === 'NOT_SERVING';
      });
      const r = await report(locA);
      assert.equal(r.members.find((m) => m.location === locA)?.health, 'SERVING');
      const own = await report(locB).catch(() => null);
      if (own) assert.ok(own.health.problems.includes('draining'), JSON.stringify(own.health));
    } finally {
      for (const p of procs) await p.stop('SIGKILL');
      await zk.stop();
    }
  });
});
