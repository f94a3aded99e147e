// Starts a real S3-compatible store for tests: Ceph's RADOS Gateway from Debian's packages
// (radosgw, ceph-mon, ceph-osd; `node scripts/setup.mjs --ceph` installs them), as one monitor,
// one OSD keeping objects in memory (memstore) and the gateway, all on free loopback ports with
// a temporary directory, no authentication between them (no cephx), and an S3 user whose keys
// the caller gets. stop() kills all three and removes the directory: nothing is left behind.
//
// Each daemon runs in the foreground (-f) as a child of this process, so that it can be killed
// and waited for; Debian's units and the daemons' own forking would hide them. Measured on this
// machine: about 15 s from nothing to a gateway that answers, 8 s of it the gateway creating its
// pools, about 200 MB of memory.
//
//   tsx test/harness/ceph-rgw.ts     runs a gateway until Ctrl-C and prints its endpoint and keys
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { s3ClientConfig, type S3Connection } from '../../src/object-store/s3-store.ts';

const run = promisify(execFile);
const BINARIES = ['/usr/bin/radosgw', '/usr/bin/ceph-mon', '/usr/bin/ceph-osd', '/usr/bin/ceph', '/usr/bin/monmaptool', '/usr/bin/radosgw-admin'];

export interface CephGateway {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  readonly port: number;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  readonly dir: string;
  /** Connection settings for S3Store and the SDK. */
  readonly connection: S3Connection;
  /** Creates a bucket (a fresh name when none is given) and returns its name. */
  createBucket(name?: string): Promise<string>;
  /** Kills the gateway daemon alone (the store becomes unreachable); restartGateway() brings it back. */
  stopGateway(): Promise<void>;
  restartGateway(): Promise<void>;
  stop(): Promise<void>;
}

export function cephInstalled(): boolean {
  return BINARIES.every((b) => fs.existsSync(b));
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

/**
 * Starts a gateway; a start that fails is tried once more from nothing (once, on a loaded
 * machine, the OSD exited during its start: the error, with the daemon's log lines, is printed).
 */
export async function startCephGateway(options: { memoryBytes?: number } = {}): Promise<CephGateway> {
  try {
    return await startOnce(options);
  } catch (e) {
    if (!cephInstalled()) throw e;
    process.stderr.write(`ceph-rgw: the gateway did not start, trying again: ${(e as Error).message}\n`);
    return startOnce(options);
  }
}

async function startOnce(options: { memoryBytes?: number }): Promise<CephGateway> {
  if (!cephInstalled()) {
    throw new Error(`Ceph is not installed (${BINARIES.filter((b) => !fs.existsSync(b)).join(', ')} missing): run \`node scripts/setup.mjs --ceph\` (as root) or \`apt-get install radosgw ceph-mon ceph-osd\``);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-ceph-'));
  const [monPort, rgwPort] = await freePorts(2);
  const conf = path.join(dir, 'ceph.conf');
  const fsid = randomUUID();
  for (const d of ['mon', 'osd0', 'rgw', 'run', 'log']) fs.mkdirSync(path.join(dir, d));
  fs.writeFileSync(conf, cephConf(dir, fsid, monPort!, rgwPort!, options.memoryBytes ?? 1024 ** 3));
  const daemons: Daemon[] = [];
  const accessKeyId = 'QUIVERTESTKEY';
  const secretAccessKey = 'QUIVERTESTSECRET';
  const c = ['-c', conf];
  const gateway = new Daemon('radosgw', [...c, '-f', '-n', 'client.rgw.local'], dir);
  const stop = async () => {
    await Promise.all([...daemons, gateway].map((d) => d.kill()));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    // --addv with v1: a plain address on a port other than 6789 would be taken as msgr2, which ms_bind_msgr2 = false turns off.
    await run('monmaptool', ['--create', '--addv', 'a', `[v1:127.0.0.1:${monPort}]`, '--fsid', fsid, path.join(dir, 'monmap')]);
    await run('ceph-authtool', ['--create-keyring', path.join(dir, 'keyring'), '--gen-key', '-n', 'mon.', '--cap', 'mon', 'allow *']);
    await run('ceph-mon', [...c, '--mkfs', '-i', 'a', '--monmap', path.join(dir, 'monmap'), '--keyring', path.join(dir, 'keyring')]);
    daemons.push(new Daemon('ceph-mon', [...c, '-f', '-i', 'a'], dir).start());
    const osdUuid = randomUUID();
    await ceph(c, ['--connect-timeout', '30', 'osd', 'new', osdUuid]);
    await run('ceph-osd', [...c, '-i', '0', '--mkfs', '--osd-uuid', osdUuid]);
    // One host bucket holding the one OSD, so that CRUSH (with chooseleaf type 0) can place PGs.
    await ceph(c, ['osd', 'crush', 'add-bucket', 'localhost', 'host']);
    await ceph(c, ['osd', 'crush', 'move', 'localhost', 'root=default']);
    await ceph(c, ['osd', 'crush', 'add', 'osd.0', '1.0', 'host=localhost']);
    daemons.push(new Daemon('ceph-osd', [...c, '-f', '-i', '0'], dir).start());
    await waitFor(async () => /1 up/.test(await ceph(c, ['osd', 'stat'])), 60_000, 'the OSD to come up', daemons);
    gateway.start();
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    await waitFor(() => httpAnswers(rgwPort!), 90_000, 'the gateway to answer', [...daemons, gateway]);
    await run('radosgw-admin', [...c, 'user', 'create', '--uid=quiver', '--display-name=quiver', `--access-key=${accessKeyId}`, `--secret=${secretAccessKey}`]);
    const connection: S3Connection = { endpoint, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey }, pathStyle: true };
    return {
      endpoint, port: rgwPort!, accessKeyId, secretAccessKey, region: 'us-east-1', dir, connection, stop,
      createBucket: async (name = `quiver-${randomUUID().slice(0, 8)}`) => {
        const client = new S3Client(s3ClientConfig(connection));
        try {
          await client.send(new CreateBucketCommand({ Bucket: name }));
        } finally {
          client.destroy();
        }
        return name;
      },
      stopGateway: () => gateway.kill(),
      restartGateway: async () => {
        await gateway.kill();
        gateway.start();
        await waitFor(() => httpAnswers(rgwPort!), 60_000, 'the gateway to answer again', [gateway]);
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

function cephConf(dir: string, fsid: string, monPort: number, rgwPort: number, memoryBytes: number): string {
  return `[global]
fsid = ${fsid}
mon_host = v1:127.0.0.1:${monPort}
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
ms_bind_msgr2 = false
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
run_dir = ${dir}/run
admin_socket = ${dir}/run/$name.asok
pid_file = ${dir}/run/$name.pid
log_file = ${dir}/log/$name.log
keyring = ${dir}/keyring
osd_pool_default_size = 1
osd_pool_default_min_size = 1
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_max_pg_per_osd = 1000
osd_crush_chooseleaf_type = 0
mon_data_avail_warn = 1
mon_data_avail_crit = 0
[mon]
mon_data = ${dir}/mon/$cluster-$id
[osd]
osd_data = ${dir}/osd0
osd_objectstore = memstore
memstore_device_bytes = ${memoryBytes}
[client.rgw.local]
rgw_frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw_data = ${dir}/rgw
`;
}

/** One daemon in the foreground, its output appended to DIR/log/NAME.out. */
class Daemon {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly name: string, private readonly args: string[], private readonly dir: string) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  get log(): string {
    return path.join(this.dir, 'log', `${this.name}.out`);
  }

  start(): this {
    const out = fs.openSync(this.log, 'a');
    const child = spawn(this.name, this.args, { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    live.add(child);
    this.child = child;
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        live.delete(child);
        if (this.child === child) this.child = undefined;
        resolve();
      }),
    );
    return this;
  }

  /** The last lines of its output and log file (the directory is removed on stop: errors carry them). */
  tail(lines = 15): string {
    const name = this.name === 'ceph-mon' ? 'mon.a' : this.name === 'ceph-osd' ? 'osd.0' : 'client.rgw.local';
    const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '');
    return [read(this.log), read(path.join(this.dir, 'log', `${name}.log`))].filter(Boolean).join('\n---\n');
  }

  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }
}

async function ceph(c: string[], args: string[]): Promise<string> {
  return (await run('ceph', [...c, ...args], { timeout: 60_000 })).stdout;
}

async function waitFor(ready: () => Promise<boolean>, timeoutMs: number, what: string, daemons: Daemon[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const dead = daemons.find((d) => !d.running);
    if (dead) throw new Error(`${dead.name} exited while waiting for ${what}:\n${dead.tail()}`);
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; logs in ${daemons[0]?.log ?? ''}`);
}

function httpAnswers(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status > 0, () => false);
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<net.Server>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/**
 * A gateway with one fresh bucket and its secret key in a file, as suites of servers on a
 * bucket use it: s3Options(prefix) are the startServer settings of a server on
 * s3://bucket/prefix with a cache directory of its own (through `endpoint`, e.g. a fault
 * proxy's, when given); stop() stops the gateway and removes every directory it made.
 */
export interface BucketFixture {
  readonly gateway: CephGateway;
  readonly bucket: string;
  readonly secretFile: string;
  fresh(prefix: string): string;
  s3Options(prefix: string, options?: { cacheDir?: string; endpoint?: string }): { data: string; s3Endpoint: string; s3AccessKeyId: string; s3SecretAccessKeyFile: string; cacheDir: string; maintenanceIntervalMs: number; convertPaused: boolean };
  stop(): Promise<void>;
}

export async function startBucketFixture(options: { memoryBytes?: number } = {}): Promise<BucketFixture> {
  const dirs: string[] = [];
  const fresh = (prefix: string) => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  const gateway = await startCephGateway({ memoryBytes: options.memoryBytes ?? 512 * 1024 ** 2 });
  try {
    const bucket = await gateway.createBucket();
    const secretFile = path.join(fresh('quiver-s3-secret-'), 'secret');
    fs.writeFileSync(secretFile, gateway.secretAccessKey, { mode: 0o600 });
    return {
      gateway, bucket, secretFile, fresh,
      s3Options: (prefix, o = {}) => ({
        data: `s3://${bucket}/${prefix}`, s3Endpoint: o.endpoint ?? gateway.endpoint, s3AccessKeyId: gateway.accessKeyId, s3SecretAccessKeyFile: secretFile,
        cacheDir: o.cacheDir ?? fresh('quiver-s3-cache-'), maintenanceIntervalMs: 0, convertPaused: true,
      }),
      async stop() {
        await gateway.stop();
        for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await gateway.stop();
    throw e;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  const gw = await startCephGateway();
  console.log(`RGW on ${gw.endpoint} after ${((Date.now() - t0) / 1000).toFixed(1)} s: AWS_ENDPOINT_URL=${gw.endpoint} AWS_ACCESS_KEY_ID=${gw.accessKeyId} AWS_SECRET_ACCESS_KEY=${gw.secretAccessKey} (dir ${gw.dir}); Ctrl-C stops it`);
  if (process.argv.includes('--once')) await gw.stop();
  else process.once('SIGINT', () => void gw.stop().then(() => process.exit(0)));
}
