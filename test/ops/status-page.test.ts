// The status page in a real browser: headless Chromium (Debian's `chromium`, driven through
// puppeteer-core) loads a follower's /status of a three-replica cluster on a real ZooKeeper,
// finds the tables (a name full of HTML shown as text, not markup) and the leader, sees a new
// commit appear without a reload, and a new leader after the leader is SIGKILLed. Screenshots
// go to test-artifacts/status-page/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import puppeteer, { type Browser } from 'puppeteer-core';
import { zooKeeperInstalled } from '../harness/zookeeper.ts';
import { ReplicaCluster, type Replica } from '../harness/cluster-replicas.ts';
import { sampleTable } from '../harness/flight-tables.ts';
import { PROJECT_ROOT } from '../harness/quiver-process.ts';

// The browser-side callbacks below run in the page, where document exists.
declare const document: any;

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(PROJECT_ROOT, 'test-artifacts/status-page');
const EVENT_MS = 30_000;
const NAME = '<b>α & "β"</b>/<script>x</script>';

function metricsPort(r: Replica): number {
  for (const l of r.stderr().split('\n')) {
    if (!l.startsWith('{')) continue;
    const line = JSON.parse(l) as { msg?: string; port?: number };
    if (line.msg === 'metrics' && line.port) return line.port;
  }
  throw new Error(`${r.name} logged no metrics port:\n${r.stderr()}`);
}

const skip = !zooKeeperInstalled() ? 'ZooKeeper not installed (node scripts/setup.mjs --zookeeper)' : !fs.existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM} (apt-get install chromium)` : false;

describe('status page', { skip }, () => {
  test('a follower\'s page shows tables, leader and members, then a new commit and a new leader without a reload', async () => {
    // The replicas inherit the environment: every one serves its operations port on a free port.
    process.env.QUIVER_METRICS_PORT = '0';
    const cluster = await ReplicaCluster.start({ zkNodes: 1, replicas: 3 });
    delete process.env.QUIVER_METRICS_PORT;
    let browser: Browser | null = null;
    try {
      const [first, follower] = cluster.replicas as [Replica, Replica, Replica];
      const leader = await cluster.waitForLeader();
      assert.equal(leader, first);
      await leader.client.doPut(NAME, sampleTable(2, 5));
      await leader.client.doPut('plain', sampleTable(1, 3));

      fs.mkdirSync(ARTIFACTS, { recursive: true });
      browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
      const page = await browser.newPage();
      await page.setViewport({ width: 1100, height: 900 });
      const url = `http://127.0.0.1:${metricsPort(follower)}/status`;
      await page.goto(url, { waitUntil: 'load' });
      // A marker that a reload would wipe.
      await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));

      const cellsOf = (id: string) => page.$$eval(`#${id} tr`, (trs: any[]) => trs.map((tr) => Array.from(tr.children as ArrayLike<any>, (td) => String(td.textContent ?? ''))));
      const tables = await cellsOf('tables');
      const named = tables.find((row) => row[0] === NAME);
      assert.ok(named, `the table name is shown as text: ${JSON.stringify(tables)}`);
      assert.equal(named[1], '1');
      assert.equal(named[2], '10');
      assert.equal(await page.$$eval('#tables b, #tables script', (e) => e.length), 0, 'no markup from a table name');
      assert.equal(await page.$eval('#role', (e) => e.textContent), 'follower');
      assert.equal(await page.$eval('#leader', (e) => e.textContent), leader.location);
      assert.equal(await page.$eval('#session', (e) => e.textContent), 'connected');
      const members = await cellsOf('members');
      assert.deepEqual(members.map((m) => m[0]).sort(), cluster.replicas.map((r) => r.location).sort());
      assert.ok(members.every((m) => m[2] === 'SERVING'), JSON.stringify(members));
      assert.ok((await cellsOf('config')).some((c) => c[0] === 'compression' && c[2] === 'replica'));
      await page.screenshot({ path: path.join(ARTIFACTS, '1-cluster.png'), fullPage: true });

      // A new commit shows up by itself.
      await leader.client.doPut(NAME, sampleTable(1, 5));
      await page.waitForFunction((name) => Array.from(document.querySelectorAll('#tables tr') as ArrayLike<any>).some((tr) => tr.children[0]?.textContent === name && tr.children[1]?.textContent === '2'), { timeout: EVENT_MS }, NAME);
      const commits = await cellsOf('commits');
      assert.equal(commits[0]?.[1], NAME, 'the newest commit is listed first');
      assert.equal(commits[0]?.[2], '2');
      await page.screenshot({ path: path.join(ARTIFACTS, '2-new-commit.png'), fullPage: true });

      // The leader dies: another replica takes over and the page says so.
      leader.kill();
      await page.waitForFunction((old) => {
        const now = document.getElementById('leader')?.textContent ?? '';
        return now !== old && now.startsWith('grpc+tcp://');
      }, { timeout: EVENT_MS * 2 }, leader.location);
      const newLeader = await page.$eval('#leader', (e) => e.textContent);
      assert.ok(cluster.replicas.slice(1).some((r) => r.location === newLeader), `the new leader is a live replica: ${newLeader}`);
      await page.screenshot({ path: path.join(ARTIFACTS, '3-leader-change.png'), fullPage: true });
      assert.equal(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker), 42, 'the page was never reloaded');
    } finally {
      await browser?.close();
      await cluster.stop();
    }
  });
});
