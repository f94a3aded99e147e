// ZooKeeper digest ACLs: a replica started with --zk-auth creates its cluster's nodes with an ACL
// that admits its credentials alone. A second, plain ZooKeeper client (node-zookeeper-client, no
// auth) cannot read, write, create under or delete any of them, while a client with the same
// credentials can; nodes created before --zk-auth was set are secured at
// start. Against a real ZooKeeper server.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import zookeeper, { type Client } from 'node-zookeeper-client';
import { FlightClient, FlightError, GrpcStatus } from '../../src/client/index.ts';
import { startServer, type StartedServer } from '../../src/server/index.ts';
import { tableKey } from '../../src/table-names.ts';
import { sampleTable } from '../harness/flight-tables.ts';
import { startZooKeeper, zooKeeperInstalled, type ZooKeeperCluster } from '../harness/zookeeper.ts';

const skip = zooKeeperInstalled() ? false : 'ZooKeeper is not installed (node scripts/setup.mjs --zookeeper)';
const CREDENTIALS = 'quiver:zk-s3cret';
let zk: ZooKeeperCluster;
const servers: StartedServer[] = [];
const clients: Client[] = [];

before(async () => {
  if (!skip) zk = await startZooKeeper();
});
after(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.close()));
  await zk?.stop();
});

async function plainClient(auth?: string): Promise<Client> {
  const c = zookeeper.createClient(zk.connect, { retries: 0 });
  if (auth) c.addAuthInfo('digest', Buffer.from(auth));
  clients.push(c);
  await new Promise<void>((resolve) => {
    c.once('connected', () => resolve());
    c.connect();
  });
  return c;
}

const call = <T>(fn: (cb: (e: Error | null, v?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((e, v) => (e ? reject(e) : resolve(v as T))));
const code = (e: unknown) => (e as { code?: number }).code;
const NO_AUTH = -102;

async function serve(cluster: string, zkAuth?: string, data?: string): Promise<StartedServer> {
  const s = await startServer({ zk: zk.connect, cluster, zkSessionTimeoutMs: 4000, ...(zkAuth ? { zkAuth } : {}), ...(data ? { data } : {}) });
  servers.push(s);
  const client = new FlightClient(s.location);
  try {
    // A fresh replica may not have won the election yet: UNAVAILABLE until it has.
    for (let tries = 0; ; tries++) {
      try {
        await client.doPut('Guarded', sampleTable(1, 3));
        break;
      } catch (e) {
        if (tries > 60 || !(e instanceof FlightError) || e.code !== GrpcStatus.UNAVAILABLE) throw e;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } finally {
    client.close();
  }
  return s;
}

test('a plain client cannot write, create under or delete a secured cluster\'s nodes', { skip }, async () => {
  await serve('acl-test', CREDENTIALS);
  const root = '/quiver/acl-test';
  const pointer = `${root}/tables/${tableKey('Guarded')}`;
  const friend = await plainClient(CREDENTIALS);
  const [entry] = await call<string[]>((cb) => friend.getChildren(pointer, undefined, cb));
  assert.ok(entry, 'the table has a log entry');
  const [candidate] = await call<string[]>((cb) => friend.getChildren(`${root}/election`, undefined, cb));
  assert.ok(candidate, 'the replica has an election node');
  const stranger = await plainClient();
  const attempts: [string, () => Promise<unknown>][] = [
    ['read the table pointer', () => call((cb) => stranger.getData(pointer, undefined, cb))],
    ['list the tables', () => call((cb) => stranger.getChildren(`${root}/tables`, undefined, cb))],
    ['setData on the table pointer', () => call((cb) => stranger.setData(pointer, Buffer.from('{}'), -1, cb))],
    ['setData on a log entry', () => call((cb) => stranger.setData(`${pointer}/${entry}`, Buffer.from('{}'), -1, cb))],
    ['delete a log entry', () => call((cb) => stranger.remove(`${pointer}/${entry}`, -1, cb))],
    ['delete the election node', () => call((cb) => stranger.remove(`${root}/election/${candidate}`, -1, cb))],
    ['create a forged log entry', () => call((cb) => stranger.create(`${pointer}/0000000000-00000000000000000099`, Buffer.from('{}'), zookeeper.CreateMode.PERSISTENT, cb))],
    ['create the config node', () => call((cb) => stranger.create(`${root}/config`, Buffer.from('{"readOnly": true}'), zookeeper.CreateMode.PERSISTENT, cb))],
    ['create a table pointer', () => call((cb) => stranger.create(`${root}/tables/t_forged`, Buffer.from('{}'), zookeeper.CreateMode.PERSISTENT, cb))],
    ['change the ACL of the root', () => call((cb) => stranger.setACL(root, zookeeper.ACL.OPEN_ACL_UNSAFE, -1, cb))],
  ];
  for (const [what, attempt] of attempts) {
    await assert.rejects(attempt(), (e: unknown) => code(e) === NO_AUTH, `${what} was not refused with NO_AUTH`);
  }
  // The same credentials may (the replica itself, or an operator's tooling).
  await call((cb) => friend.create(`${root}/tables/t_friendly`, Buffer.alloc(0), zookeeper.ACL.OPEN_ACL_UNSAFE, zookeeper.CreateMode.PERSISTENT, cb));
  await call((cb) => friend.remove(`${root}/tables/t_friendly`, -1, cb));
});

test('turning --zk-auth on secures the nodes an open cluster already has', { skip }, async () => {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-acl-'));
  const open = await serve('acl-later', undefined, data);
  await open.close();
  servers.splice(servers.indexOf(open), 1);
  await serve('acl-later', CREDENTIALS, data);
  const pointer = `/quiver/acl-later/tables/${tableKey('Guarded')}`;
  const stranger = await plainClient();
  await assert.rejects(call((cb) => stranger.setData(pointer, Buffer.from('{}'), -1, cb)), (e: unknown) => code(e) === NO_AUTH);
  const friend = await plainClient(CREDENTIALS);
  const [own] = await call<string[]>((cb) => friend.getChildren(pointer, undefined, cb));
  assert.ok(own, 'the table has log entries');
  await assert.rejects(call((cb) => stranger.remove(`${pointer}/${own}`, -1, cb)), (e: unknown) => code(e) === NO_AUTH);
  fs.rmSync(data, { recursive: true, force: true });
});
