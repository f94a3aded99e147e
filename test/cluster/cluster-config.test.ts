// The cluster config node: set through one replica (the CLI, via the cluster-config action), it
// is applied live by all three replica processes — read-only refuses writes everywhere and is
// lifted again, compression and row-group size change the next file written, a message limit is
// enforced, retention changes expiration_time — and an invalid node written straight into
// ZooKeeper is refused with one log line while the previous config stays. A replica cut off from
// ZooKeeper until its session expires keeps its config, and on its new session catches up with
// the change it missed and follows later ones.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { tableFromArrays } from 'apache-arrow';
import { startZooKeeper, type ZooKeeperCluster } from '../harness/zookeeper.ts';
import { ZkSession } from '../../src/coord/zookeeper/session.ts';
import { ZnodeLayout } from '../../src/coord/zookeeper/znode-layout.ts';
import type { ClusterConfigResponse as ClusterConfigReport, ClusterStatusResponse as ClusterReport } from '../../src/wire/admin-actions.ts';
import { readFooter } from '../../src/storage/parquet-codec.ts';
import { tableDirName } from '../../src/table-names.ts';
import { DEFAULTS } from '../../src/server/config.ts';
import { framesOf, pathDescriptor, putMessages } from '../harness/arrow-frames.ts';
import { runCli } from '../harness/cli-process.ts';
import { startQuiver, tempDir, type QuiverProcess } from '../harness/quiver-process.ts';
import { rawClient, rawPut, streamCall, unaryCall, type RawClient } from '../harness/raw-flight-client.ts';

const CLUSTER = 'config-test';
const EVENT_WAIT_MS = 30_000;
const ints = (n: number) => framesOf(tableFromArrays({ n: Int32Array.from({ length: n }, (_, i) => i) }));

interface Replica {
  name: string;
  process: QuiverProcess;
  client: RawClient;
  location: string;
}

/** A TCP relay to ZooKeeper that can be cut (every connection closed, new ones refused) and restored. */
class CuttableLink {
  private cut = false;
  private readonly sockets = new Set<net.Socket>();
  private constructor(private readonly server: net.Server, readonly connect: string) {}

  static async start(upstreamPort: number): Promise<CuttableLink> {
    let link!: CuttableLink;
    const server = net.createServer((client) => link.relay(client, upstreamPort));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    link = new CuttableLink(server, `127.0.0.1:${(server.address() as net.AddressInfo).port}`);
    return link;
  }

  sever(): void {
    this.cut = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.cut = false;
  }

  async close(): Promise<void> {
    this.sever();
    await new Promise((r) => this.server.close(r));
  }

  private relay(client: net.Socket, upstreamPort: number): void {
    if (this.cut) {
      client.destroy();
      return;
    }
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

async function eventually(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + EVENT_WAIT_MS;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

async function action<T>(r: Replica, type: string, body: unknown = ''): Promise<T> {
  const [result] = await streamCall<{ body: Buffer }>(r.client, 'DoAction', { type, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) });
  return JSON.parse(result!.body.toString()) as T;
}

const status = (r: Replica) => action<ClusterReport>(r, 'cluster-status');

describe('the cluster config node, live on three replicas', () => {
  let zk: ZooKeeperCluster;
  let link: CuttableLink;
  let data: string;
  let zkSession: ZkSession;
  const replicas: Replica[] = [];
  const configPath = new ZnodeLayout(CLUSTER).config;

  const everywhere = (what: string, check: (c: ClusterConfigReport) => boolean) =>
    eventually(async () => {
      for (const r of replicas) if (!check((await status(r)).config!)) return false;
      return true;
    }, `every replica to apply: ${what}`);

  /** Writes the config node straight into ZooKeeper, as another tool would; returns its new version. */
  const writeNode = async (text: string) => {
    const node = await zkSession.getData(configPath);
    if (!node) {
      await zkSession.create(configPath, Buffer.from(text));
      return 0;
    }
    return (await zkSession.setData(configPath, Buffer.from(text), node.stat.version)).version;
  };

  const cli = async (args: string[], via: Replica = replicas[0]!) => {
    const out = await runCli(['cluster', ...args, '--server', via.location]);
    assert.equal(out.code, 0, `quiver cluster ${args.join(' ')}: ${out.stderr}`);
    return out.stdout;
  };

  /** The data files the newest version of `table` added, from its manifest on the shared root. */
  function newestFiles(table: string): string[] {
    const dir = path.join(data, 'tables', tableDirName(table));
    const names = fs.readdirSync(path.join(dir, 'manifests')).sort();
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifests', names.at(-1)!), 'utf8')) as { files: { path: string }[]; added: { files: number } };
    return m.files.slice(m.files.length - m.added.files).map((f) => path.join(dir, f.path));
  }

  before(async () => {
    zk = await startZooKeeper({ nodes: 1 });
    link = await CuttableLink.start(zk.nodes[0]!.clientPort);
    data = tempDir('quiver-cluster-config-');
    // a and b talk to ZooKeeper directly, c through a link the last test cuts.
    for (const [name, connect] of [['a', zk.connect], ['b', zk.connect], ['c', link.connect]] as const) {
      const process = await startQuiver(['--zk', connect, '--cluster', CLUSTER, '--zk-session-timeout', '3s'], data);
      replicas.push({ name, process, client: rawClient(process.address), location: `grpc+tcp://127.0.0.1:${process.port}` });
    }
    zkSession = await ZkSession.open({ connect: zk.connect, sessionTimeoutMs: 3000 });
    const leader = replicas[0]!;
    await eventually(async () => (await status(leader)).is_leader, 'replica a to lead');
  });

  after(async () => {
    await zkSession?.close();
    for (const r of replicas) {
      r.client.close();
      await r.process.stop();
    }
    await link?.close();
    await zk?.stop();
  });

  test('read-only set through one replica refuses DoPut, drop and import on every replica; reads go on; then it is lifted', async () => {
    const [a, b, c] = replicas as [Replica, Replica, Replica];
    assert.equal((await rawPut(b.client, putMessages(pathDescriptor('ro'), ints(3)))).error, null);

    const shown = await cli(['config', 'set', 'readOnly=true'], b);
    assert.match(shown, /cluster config version \d+/);
    assert.match(shown, /readOnly\s+true\s+cluster/);
    await everywhere('readOnly=true', (cfg) => cfg.effective.readOnly === true && cfg.cluster.readOnly === true);

    for (const r of replicas) {
      const { error } = await rawPut(r.client, putMessages(pathDescriptor('ro'), ints(2)));
      assert.equal(error?.code, grpc.status.FAILED_PRECONDITION, `DoPut via ${r.name}: ${error?.details}`);
      assert.match(error!.details, /read-only/);
      await assert.rejects(action(r, 'drop', { table: 'ro' }), (e: grpc.ServiceError) => e.code === grpc.status.FAILED_PRECONDITION);
      await assert.rejects(action(r, 'import', { table: 'ro', files: ['x.parquet'] }), (e: grpc.ServiceError) => e.code === grpc.status.FAILED_PRECONDITION);
      const info = await unaryCall<{ total_records: string; endpoint: { ticket: { ticket: Buffer } }[] }>(r.client, 'GetFlightInfo', pathDescriptor('ro'));
      assert.equal(Number(info.total_records), 3, `reads go on via ${r.name}`);
      assert.ok((await streamCall(r.client, 'DoGet', { ticket: info.endpoint[0]!.ticket.ticket })).length >= 2);
    }

    await cli(['config', 'set', 'readOnly=false'], c);
    await everywhere('readOnly=false', (cfg) => cfg.effective.readOnly === false);
    for (const r of [a, b, c]) assert.equal((await rawPut(r.client, putMessages(pathDescriptor('ro'), ints(1)))).error, null, `DoPut via ${r.name} after the lift`);
  });

  test('compression and row-group size apply to the next file written', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const frames = (n: number) => {
      const [schema, ...rest] = ints(2);
      return [schema!, ...Array.from({ length: n }, () => rest).flat()];
    };
    // DoPut lands Arrow IPC; the Parquet settings apply to the files the leader's conversion writes.
    const settle = () => action(a, 'maintenance', { table: 'codec', tasks: ['convert'] });
    assert.equal((await rawPut(b.client, putMessages(pathDescriptor('codec'), frames(3)))).error, null);
    await settle();
    let files = newestFiles('codec');
    assert.equal(files.length, 1, 'by default three small batches go into one file');
    assert.deepEqual((await readFooter(files[0]!)).compressions, ['ZSTD']);

    await cli(['config', 'set', 'compression=snappy', 'row-group-rows=2'], a);
    await everywhere('compression=snappy', (cfg) => cfg.effective.compression === 'snappy' && cfg.effective.rowGroupRows === 2);
    assert.equal((await rawPut(b.client, putMessages(pathDescriptor('codec'), frames(3)))).error, null);
    await settle();
    files = newestFiles('codec');
    assert.equal(files.length, 3, 'two rows per row group (and file)');
    for (const f of files) assert.deepEqual((await readFooter(f)).compressions, ['SNAPPY']);

    await cli(['config', 'unset', 'compression', 'rowGroupRows'], b);
    await everywhere('compression back to the replicas\' own', (cfg) => cfg.effective.compression === 'zstd' && !('compression' in cfg.cluster));
  });

  test('a message limit is enforced on every replica and removed again', async () => {
    const [, b, c] = replicas as [Replica, Replica, Replica];
    await cli(['config', 'set', 'maxMessageBytes=2000'], c);
    await everywhere('maxMessageBytes=2000', (cfg) => cfg.effective.maxMessageBytes === 2000);
    for (const r of replicas) {
      const { error } = await rawPut(r.client, putMessages(pathDescriptor('limit'), ints(1000)));
      assert.equal(error?.code, grpc.status.RESOURCE_EXHAUSTED, `a 4000-byte batch via ${r.name}: ${error?.details}`);
      assert.match(error!.details, /limit of 2000 bytes/);
      assert.equal((await rawPut(r.client, putMessages(pathDescriptor('limit'), ints(10)))).error, null, `a small batch via ${r.name}`);
    }
    await cli(['config', 'unset', 'maxMessageBytes'], b);
    await everywhere('the replicas\' own message limit', (cfg) => cfg.effective.maxMessageBytes === DEFAULTS.maxMessageBytes);
    assert.equal((await rawPut(b.client, putMessages(pathDescriptor('limit'), ints(1000)))).error, null);
  });

  test('retention changes the expiration_time of endpoints', async () => {
    const [a, b] = replicas as [Replica, Replica];
    await cli(['config', 'set', 'retention=1h'], a);
    await everywhere('retention=1h', (cfg) => cfg.effective.retentionMs === 3_600_000);
    const before = Date.now();
    const info = await unaryCall<{ endpoint: { expiration_time: { seconds: string } }[] }>(b.client, 'GetFlightInfo', pathDescriptor('limit'));
    const expires = Number(info.endpoint[0]!.expiration_time.seconds) * 1000;
    assert.ok(expires >= before + 3_600_000 - 1000 && expires <= Date.now() + 3_600_000, `expiration ${new Date(expires).toISOString()} is one hour from now`);
    await cli(['config', 'unset', 'retention'], a);
  });

  test('changes of different keys sent through three replicas at once all land (compare-and-set, retried)', async () => {
    const changes = [{ readOnly: false }, { compression: 'brotli' }, { endpointBytes: 1234 }, { rowGroupRows: 77 }, { maxBufferedBytes: 1048576 }, { retentionMs: '3h' }];
    await Promise.all(changes.map((set, i) => action(replicas[i % 3]!, 'cluster-config', { set })));
    const stored = JSON.parse((await zkSession.getData(configPath))!.data.toString()) as Record<string, unknown>;
    assert.deepEqual(stored, { compression: 'brotli', endpointBytes: 1234, maxBufferedBytes: 1024 * 1024, readOnly: false, retentionMs: 3 * 3_600_000, rowGroupRows: 77 });
    await everywhere('all six changes', (cfg) => cfg.effective.compression === 'brotli' && cfg.effective.rowGroupRows === 77 && cfg.effective.retentionMs === 10_800_000);
    await action(replicas[0]!, 'cluster-config', { unset: ['compression', 'endpointBytes', 'rowGroupRows', 'maxBufferedBytes', 'retentionMs'] });
  });

  test('an invalid config written straight into ZooKeeper is refused with one log line; the previous config stays', async () => {
    await cli(['config', 'set', 'compression=gzip']);
    await everywhere('compression=gzip', (cfg) => cfg.effective.compression === 'gzip');
    const current = await zkSession.getData(configPath);
    const bad = await zkSession.setData(configPath, Buffer.from('{"compression": "bogus", "port": 1}'), current!.stat.version);
    await everywhere('the refusal', (cfg) => cfg.rejected?.version === bad.version);
    for (const r of replicas) {
      const cfg = (await status(r)).config!;
      assert.equal(cfg.effective.compression, 'gzip', `${r.name} keeps the previous config`);
      assert.equal(cfg.version, bad.version - 1);
      assert.match(cfg.rejected!.problem, /compression/);
      const lines = r.process.stderr().split('\n').filter((l) => l.includes(`cluster config version ${bad.version} rejected`));
      assert.equal(lines.length, 1, `${r.name} logs the refusal once: ${lines.join('\n')}`);
      assert.match(lines[0]!, /--compression must be one of/);
    }
    // A change through the CLI repairs it: it merges onto the config in force, not the broken node.
    const repaired = JSON.parse(await cli(['config', 'set', 'readOnly=false', '--json'], replicas[1])) as ClusterConfigReport;
    assert.deepEqual(repaired.cluster, { compression: 'gzip', readOnly: false });
    assert.deepEqual(JSON.parse((await zkSession.getData(configPath))!.data.toString()), { compression: 'gzip', readOnly: false });
    await everywhere('the repaired config', (cfg) => cfg.version === repaired.version && cfg.rejected === undefined);

    // Settings the node may not hold, and bad values, are refused by the CLI before it calls.
    for (const [arg, why] of [['port=1', /per-replica setting/], ['compression=bogus', /must be one of/], ['retention=soon', /not a duration/], ['nonsense=1', /unknown setting/]] as const) {
      const out = await runCli(['cluster', 'config', 'set', arg, '--server', replicas[0]!.location]);
      assert.equal(out.code, 2, `${arg}: ${out.stderr}`);
      assert.match(out.stderr, why);
    }
    // ...and by the action itself, for clients other than the CLI.
    await assert.rejects(action(replicas[2]!, 'cluster-config', { set: { rowGroupRows: 0 } }), (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT && /rowGroupRows/.test(e.details));
  });

  test('a replica disconnected for a moment keeps its session and catches up with a change made meanwhile', async () => {
    const c = replicas[2]!;
    const before = await status(c);
    assert.equal(before.session, 'connected');
    const suspensions = () => c.process.stderr().split('\n').filter((l) => l.includes('zookeeper connection suspended')).length;
    const seen = suspensions();
    link.sever();
    // Not asked through cluster-status: that waits for ZooKeeper, longer than the session lasts.
    await eventually(() => suspensions() > seen, 'c to notice the cut');
    const meanwhile = await writeNode('{"endpointBytes": 4096}');
    link.restore();
    await eventually(async () => (await status(c)).config!.version === meanwhile, 'c to apply the change made while it was disconnected');
    const after = await status(c);
    assert.equal(after.session_id, before.session_id, 'the same session: no expiry happened');
    assert.equal(after.config!.effective.endpointBytes, 4096);
    // Its watch still works afterwards, and one change is applied once.
    const later = await writeNode('{"endpointBytes": 8192}');
    await eventually(async () => (await status(c)).config!.version === later, 'c to follow the next change');
    const applied = c.process.stderr().split('\n').filter((l) => l.includes('cluster config applied') && l.includes(`"version":${later}`));
    assert.equal(applied.length, 1, 'one apply per version');
  });

  test('a replica whose session expires keeps its config, catches up with what it missed, and follows later changes', async () => {
    const [a, b, c] = replicas as [Replica, Replica, Replica];
    await cli(['config', 'set', 'readOnly=true'], a);
    await everywhere('readOnly=true', (cfg) => cfg.effective.readOnly === true);
    const sessionBefore = (await status(c)).session_id;

    link.sever();
    // ZooKeeper expires c's session: its election node goes, so the others stop listing it.
    await eventually(async () => !(await status(a)).members.some((m) => m.location === c.location), 'c\'s session to expire');
    assert.notEqual((await status(c)).session, 'connected');
    const { error } = await rawPut(c.client, putMessages(pathDescriptor('ro'), ints(1)));
    assert.equal(error?.code, grpc.status.FAILED_PRECONDITION, 'cut off, c still holds the cluster read-only');

    const missed = JSON.parse(await cli(['config', 'set', 'readOnly=false', 'retention=2h', '--json'], b)) as ClusterConfigReport;
    link.restore();
    await eventually(async () => {
      const s = await status(c);
      return s.session === 'connected' && s.session_id !== sessionBefore && s.config!.version === missed.version;
    }, 'c to reconnect on a new session and read the config it missed');
    const cfg = (await status(c)).config!;
    assert.equal(cfg.effective.readOnly, false);
    assert.equal(cfg.effective.retentionMs, 7_200_000);
    assert.equal((await rawPut(c.client, putMessages(pathDescriptor('ro'), ints(1)))).error, null);

    // The watch is armed again on the new session: a later change reaches c too.
    const node = await zkSession.getData(configPath);
    const later = await zkSession.setData(configPath, Buffer.from('{"maxMessageBytes": 123456}'), node!.stat.version);
    await everywhere('a change after the new session', (x) => x.version === later.version && x.effective.maxMessageBytes === 123456 && x.effective.retentionMs === 604_800_000);
  });
});

describe('cluster config on a server that runs alone', () => {
  let server: QuiverProcess;
  before(async () => {
    server = await startQuiver(['--read-only', 'true']);
  });
  after(async () => {
    await server?.stop();
  });

  test('--read-only refuses writes; the config is shown but cannot be changed without a cluster', async () => {
    const client = rawClient(server.address);
    try {
      const { error } = await rawPut(client, putMessages(pathDescriptor('t'), ints(1)));
      assert.equal(error?.code, grpc.status.FAILED_PRECONDITION);
    } finally {
      client.close();
    }
    const location = `grpc+tcp://${server.address}`;
    const shown = await runCli(['cluster', 'config', '--server', location]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /embedded mode/);
    assert.match(shown.stdout, /readOnly\s+true\s+replica/);
    const set = await runCli(['cluster', 'config', 'set', 'readOnly=false', '--server', location]);
    assert.equal(set.code, 1);
    assert.match(set.stderr, /runs alone \(no --zk\)/);
  });
});
