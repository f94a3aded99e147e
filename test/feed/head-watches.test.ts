// The ZooKeeper side of the change feed: however many followers a table has in one process, the
// replica keeps one watch on its pointer node (counted by the server, mntr's zk_watch_count);
// every commit reaches every listener, including commits made while this replica's ZooKeeper
// server was down and came back (the watch is read again on reconnection); a drop says null.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LogEntry } from '../../src/coord/coordinator.ts';
import { fourLetterWord, zooKeeperInstalled } from '../harness/zookeeper.ts';
import { eventually, zooKeeperForSuite } from '../coord/zk-fixtures.ts';

const watchCount = async (port: number) => Number(/zk_watch_count\s+(\d+)/.exec(await fourLetterWord(port, 'mntr'))?.[1]);

describe('table head watches', { skip: !zooKeeperInstalled() && 'ZooKeeper is not installed' }, () => {
  const zk = zooKeeperForSuite(1);

  test('one watch per table for twenty listeners; every commit and a drop reach them all, across a ZooKeeper restart', async () => {
    const ensemble = await zk.ready();
    const writer = await zk.coordinator(ensemble.connect, 'heads');
    const watcher = await zk.coordinator(ensemble.connect, 'heads');
    await writer.whenLeader(20_000);
    await writer.publish('t', 0, 'manifests/1.json');
    const port = ensemble.nodes[0]!.clientPort;
    const before = await watchCount(port);
    const heard: (number | null)[][] = Array.from({ length: 20 }, () => []);
    const stops = heard.map((list) => watcher.watchHead('t', (h: LogEntry | null) => list.push(h ? h.version : null)));
    await eventually(() => heard.every((l) => l.includes(1)), 'every listener heard the head');
    assert.equal(await watchCount(port), before + 1, 'twenty listeners, one watch');

    for (let v = 2; v <= 4; v++) await writer.publish('t', v - 1, `manifests/${v}.json`);
    await eventually(() => heard.every((l) => l.at(-1) === 4), 'every listener heard version 4');

    await ensemble.nodes[0]!.restart();
    await ensemble.waitServing();
    await eventually(async () => {
      try {
        await writer.publish('t', 4, 'manifests/5.json');
        return true;
      } catch {
        return (await writer.head('t').catch(() => null))?.version === 5;
      }
    }, 'a commit after the restart');
    await eventually(() => heard.every((l) => l.at(-1) === 5), 'every listener heard version 5 after the restart');
    for (const l of heard) assert.deepEqual([...new Set(l)], [...new Set(l)].sort((a, b) => (a ?? 0) - (b ?? 0)), 'heads only move forward');

    await writer.dropTable('t');
    await eventually(() => heard.every((l) => l.at(-1) === null), 'every listener heard the drop');
    for (const stop of stops) stop();
  });
});
