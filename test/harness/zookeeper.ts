// Starts real ZooKeeper servers for tests: a standalone server or a 3-node ensemble, on free
// loopback ports in a temp directory, from Debian's zookeeper package (install it with
// `node scripts/setup.mjs --zookeeper`).
//
// Debian's init scripts and zkServer.sh assume /etc/zookeeper and /var/lib/zookeeper, so each
// server runs as a plain java process: zookeeper.jar (its manifest Class-Path names its
// dependencies in /usr/share/java) plus slf4j-simple so that its log goes to a file.
//
//   tsx test/harness/zookeeper.ts [--nodes 3]     runs until Ctrl-C and prints the connect string
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const JARS = ['/usr/share/java/zookeeper.jar', '/usr/share/java/slf4j-simple.jar'];
const TICK_MS = 500;

export interface ZooKeeperNode {
  readonly id: number;
  readonly clientPort: number;
  /** host:port of this server alone. */
  readonly connect: string;
  readonly running: boolean;
  readonly pid: number | undefined;
  /** SIGKILL, and wait for the process to exit. */
  kill(): Promise<void>;
  /** SIGSTOP: the server keeps its sockets but answers nothing, like a hung JVM. */
  freeze(): void;
  /** SIGCONT after freeze(). */
  thaw(): void;
  /** Starts the server again (after kill()) with the same data and ports. */
  restart(): Promise<void>;
}

export interface ZooKeeperCluster {
  /** The connect string of all servers. */
  readonly connect: string;
  readonly nodes: ZooKeeperNode[];
  readonly dir: string;
  /** Waits until every running node serves (standalone, leader or follower). */
  waitServing(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function zooKeeperInstalled(): boolean {
  return JARS.every((j) => fs.existsSync(j));
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export async function startZooKeeper(options: { nodes?: 1 | 3 } = {}): Promise<ZooKeeperCluster> {
  if (!zooKeeperInstalled()) {
    throw new Error(`ZooKeeper is not installed (${JARS.join(', ')} missing): run \`node scripts/setup.mjs --zookeeper\` (as root) or \`apt-get install zookeeper\``);
  }
  const count = options.nodes ?? 1;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-zk-'));
  const ports = await freePorts(count * 3);
  const servers = Array.from({ length: count }, (_, i) => ({ id: i + 1, client: ports[i * 3]!, quorum: ports[i * 3 + 1]!, election: ports[i * 3 + 2]! }));
  const nodes = servers.map((s) => {
    const nodeDir = path.join(dir, `node${s.id}`);
    fs.mkdirSync(path.join(nodeDir, 'data'), { recursive: true });
    const lines = [
      `tickTime=${TICK_MS}`,
      'initLimit=10',
      'syncLimit=5',
      `dataDir=${path.join(nodeDir, 'data')}`,
      `clientPort=${s.client}`,
      'clientPortAddress=127.0.0.1',
      'admin.enableServer=false',
      '4lw.commands.whitelist=srvr,ruok,mntr,cons',
      'maxClientCnxns=0',
    ];
    if (count > 1) {
      fs.writeFileSync(path.join(nodeDir, 'data', 'myid'), `${s.id}\n`);
      for (const o of servers) lines.push(`server.${o.id}=127.0.0.1:${o.quorum}:${o.election}`);
    }
    fs.writeFileSync(path.join(nodeDir, 'zoo.cfg'), lines.join('\n') + '\n');
    return new ServerProcess(s.id, s.client, nodeDir);
  });
  const cluster: ZooKeeperCluster = {
    connect: nodes.map((n) => n.connect).join(','),
    nodes,
    dir,
    waitServing: async (timeoutMs = 30_000) => {
      await Promise.all(nodes.filter((n) => n.running).map((n) => n.waitServing(timeoutMs)));
    },
    stop: async () => {
      await Promise.all(nodes.map((n) => n.kill()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    for (const n of nodes) n.spawn();
    await cluster.waitServing();
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}

class ServerProcess implements ZooKeeperNode {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly id: number,
    readonly clientPort: number,
    private readonly dir: string,
  ) {}

  get connect(): string {
    return `127.0.0.1:${this.clientPort}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  spawn(): void {
    const log = fs.openSync(path.join(this.dir, 'server.log'), 'a');
    const child = spawn(
      'java',
      [
        '-Xmx256m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-Dzookeeper.admin.enableServer=false',
        '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
        '-cp',
        JARS.join(':'),
        'org.apache.zookeeper.server.quorum.QuorumPeerMain',
        path.join(this.dir, 'zoo.cfg'),
      ],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    live.add(child);
    this.child = child;
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        live.delete(child);
        if (this.child === child) this.child = undefined;
        resolve();
      }),
    );
  }

  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  async restart(): Promise<void> {
    await this.kill();
    this.spawn();
  }

  /** `srvr` answers with a Mode line only once the server serves clients. */
  async waitServing(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      if (!this.child) throw new Error(`ZooKeeper server ${this.id} exited; see ${path.join(this.dir, 'server.log')}`);
      last = await fourLetterWord(this.clientPort, 'srvr').catch((e: Error) => e.message);
      if (/^Mode: /m.test(last)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`ZooKeeper server ${this.id} not serving after ${timeoutMs} ms (${last.trim()}); see ${path.join(this.dir, 'server.log')}`);
  }
}

export function fourLetterWord(port: number, word: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let out = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`${word}: no answer within ${timeoutMs} ms`)));
    socket.on('connect', () => socket.write(word));
    socket.on('data', (d) => (out += d.toString()));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Server>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const nodes = process.argv.includes('--nodes') && process.argv[process.argv.indexOf('--nodes') + 1] === '3' ? 3 : 1;
  const cluster = await startZooKeeper({ nodes });
  process.stdout.write(`${cluster.connect}\n`);
  const stop = () => void cluster.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
