// Runs the client-library checks (test/clients/README.md) of pyarrow, arrow-go and Arrow Java
// against real `quiver serve` processes over plain TCP, TLS and mutual TLS, prints a table
// (client x transport x check) and writes the results as JSON.
//
//   node --import tsx test/clients/runner/run-clients.ts [--clients python,go,java]
//        [--transports tcp,tls,mtls] [--replicas 2] [--out FILE] [--no-setup]
//
// Each transport gets its own cluster of --replicas quiver processes (default 2) on one data root
// and a real ZooKeeper, so every FlightInfo endpoint lists two locations, and the clients talk to
// a follower, so their writes also go through leader forwarding (over TLS where the transport is
// TLS). --replicas 1 runs one plain server instead (no ZooKeeper).
//
// Each client program prints one JSON line per check ({check, ok, detail, ms}); a check a client
// did not report (it crashed, or timed out) counts as failed with the client's output attached.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlightClient, type FlightClientOptions } from '../../../src/client/index.ts';
import { run, startServer, type Server } from '../../conformance/runner/processes.ts';
import { startZooKeeper, type ZooKeeperCluster } from '../../harness/zookeeper.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cache = process.env.QUIVER_CACHE ?? path.join(repo, '.cache');
const tlsDir = path.resolve(repo, '../shared/corpus/tls');
const tlsFile = (name: string) => path.join(tlsDir, name);

export const CLIENTS = ['python', 'go', 'java'] as const;
export const TRANSPORTS = ['tcp', 'tls', 'mtls'] as const;
export const CHECKS = ['handshake', 'wrong_password', 'put', 'append', 'list_flights', 'read_endpoints', 'not_found', 'wrong_schema', 'no_client_cert', 'read_by_pyarrow'] as const;
export type Client = (typeof CLIENTS)[number];
export type Transport = (typeof TRANSPORTS)[number];

export interface CheckResult {
  client: Client;
  transport: Transport;
  check: string;
  outcome: 'pass' | 'fail' | 'not-installed';
  detail: string;
  ms?: number;
  /** The client's output, for failures. */
  output?: string;
  /** The server's stderr tail, for failures. */
  serverLog?: string;
}

export interface ClientsReport {
  started: string;
  /** quiver processes per transport (a cluster when more than one). */
  replicas: number;
  versions: Record<string, string>;
  seconds: number;
  results: CheckResult[];
}

const USER = 'alice';
const PASSWORD = 'secret';
const CLIENT_TIMEOUT_MS = 120_000;

function serverArgs(transport: Transport): string[] {
  const tls = ['--tls-cert', tlsFile('cert0.pem'), '--tls-key', tlsFile('cert0.key')];
  // The corpus certificates are for CN=localhost (no subjectAltName), so the server listens and
  // advertises localhost; each file is its own endpoint, so two DoPuts give several endpoints.
  const base = ['--port', '0', '--host', 'localhost', '--auth', `basic:${USER}:${PASSWORD}`, '--endpoint-bytes', '1', '--log-level', 'warn'];
  if (transport === 'tcp') return base;
  // Replicas forward writes to the leader over TLS too, trusting the same CA as the clients.
  if (transport === 'tls') return [...base, ...tls, '--tls-peer-ca', tlsFile('root-ca.pem')];
  return [...base, ...tls, '--tls-client-ca', tlsFile('root-ca.pem')];
}

const locationOf = (transport: Transport, port: number) => `${transport === 'tcp' ? 'grpc+tcp' : 'grpc+tls'}://localhost:${port}`;

/** pyarrow reading another client's table: the three write the same rows, so the tables must be equal. */
function crossReadArgs(transport: Transport, port: number, table: string): string[] {
  const args = ['--location', locationOf(transport, port), '--table', table, '--read-only'];
  if (transport !== 'tcp') args.push('--ca', tlsFile('root-ca.pem'));
  if (transport === 'mtls') args.push('--cert', tlsFile('cert1.pem'), '--key', tlsFile('cert1.key'));
  return [process.env.PYTHON ?? 'python3', path.join(repo, 'test/interop/test_client_libraries.py'), ...args];
}

function clientArgs(client: Client, transport: Transport, port: number, table: string, replicas: number): string[] {
  const args = ['--location', locationOf(transport, port), '--table', table, '--expect-locations', String(replicas)];
  if (transport !== 'tcp') args.push('--ca', tlsFile('root-ca.pem'));
  // Arrow Java reads client keys as PKCS#8 only: cert1.pkcs1 is cert1.key converted to it.
  if (transport === 'mtls') args.push('--cert', tlsFile('cert1.pem'), '--key', tlsFile(client === 'java' ? 'cert1.pkcs1' : 'cert1.key'), '--mtls');
  const python = process.env.PYTHON ?? 'python3';
  switch (client) {
    case 'python':
      return [python, path.join(repo, 'test/interop/test_client_libraries.py'), ...args];
    case 'go':
      return [path.join(cache, 'clients/go/quiver-go-client'), ...args];
    case 'java': {
      const cp = fs.readFileSync(path.join(cache, 'clients/java/java-classpath.txt'), 'utf8').trim();
      // Arrow's memory module reads java.nio.Buffer's address field; on the classpath its code is
      // in the unnamed module, which Java 17 keeps out of java.nio unless opened to it.
      return ['java', '--add-opens=java.base/java.nio=ALL-UNNAMED', '-cp', `${path.join(cache, 'clients/java/classes')}:${cp}`, 'quiver.clients.FlightClientChecks', ...args];
    }
  }
}

/** Which clients the setup script could build (it exits 1 when any is missing; each is tried alone). */
function setup(clients: readonly Client[]): Map<Client, string | null> {
  const missing = new Map<Client, string | null>();
  for (const c of clients) {
    const r = spawnSync('bash', [path.join(repo, 'scripts/clients/setup.sh'), c], { encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] });
    process.stderr.write(r.stderr ?? '');
    missing.set(c, r.status === 0 ? null : `setup failed: ${(r.stderr ?? '').trim().split('\n').pop()}`);
  }
  return missing;
}

function versions(): Record<string, string> {
  const pyarrow = spawnSync(process.env.PYTHON ?? 'python3', ['-c', 'import pyarrow; print(pyarrow.__version__)'], { encoding: 'utf8' }).stdout.trim();
  const goMod = fs.readFileSync(path.join(repo, 'test/clients/go/go.mod'), 'utf8');
  const pom = fs.readFileSync(path.join(repo, 'test/clients/java/pom.xml'), 'utf8');
  return {
    pyarrow: pyarrow || 'not installed',
    'arrow-go': /github\.com\/apache\/arrow-go\/v18 (\S+)/.exec(goMod)?.[1] ?? '?',
    'arrow-java': /<arrow\.version>([^<]+)</.exec(pom)?.[1] ?? '?',
  };
}

interface ClusterStatus { is_leader: boolean; leader: { location: string } | null; members: unknown[] }

/**
 * Waits until every replica sees a leader and all members, and returns the port of a follower
 * (the clients' entry point) or of the only server.
 */
async function entryPort(transport: Transport, servers: Server[]): Promise<number> {
  if (servers.length === 1) return servers[0]!.port;
  const options: FlightClientOptions = { credentials: { username: USER, password: PASSWORD } };
  if (transport !== 'tcp') options.tls = { ca: fs.readFileSync(tlsFile('root-ca.pem')) };
  if (transport === 'mtls') options.tls = { ...options.tls, cert: fs.readFileSync(tlsFile('cert1.pem')), key: fs.readFileSync(tlsFile('cert1.key')) };
  const deadline = Date.now() + 60_000;
  let last = '';
  for (;;) {
    try {
      const statuses = await Promise.all(servers.map(async (s) => {
        const client = await FlightClient.connect(locationOf(transport, s.port), options);
        try {
          for await (const body of client.doAction('cluster-status', '', { deadline: 5_000 })) return JSON.parse(Buffer.from(body).toString('utf8')) as ClusterStatus;
          throw new Error('cluster-status returned nothing');
        } finally {
          client.close();
        }
      }));
      last = JSON.stringify(statuses);
      const follower = statuses.findIndex((st) => !st.is_leader);
      if (statuses.every((st) => st.leader && st.members.length === servers.length) && statuses.filter((st) => st.is_leader).length === 1 && follower >= 0) {
        return servers[follower]!.port;
      }
    } catch (e) {
      last = String(e);
    }
    if (Date.now() > deadline) throw new Error(`the ${transport} cluster did not settle on one leader within 60 s: ${last}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function runClients(argv: string[] = []): Promise<ClientsReport> {
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const pick = <T extends string>(all: readonly T[], raw?: string): T[] => {
    if (!raw) return [...all];
    const wanted = raw.split(',');
    const unknown = wanted.filter((w) => !all.includes(w as T));
    if (unknown.length) throw new Error(`unknown ${unknown.join(', ')}; choose from ${all.join(', ')}`);
    return wanted as T[];
  };
  const clients = pick(CLIENTS, opt('--clients'));
  const transports = pick(TRANSPORTS, opt('--transports'));
  const replicas = Number(opt('--replicas') ?? 2);
  if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`--replicas must be a positive integer`);
  const started = Date.now();
  const missing = argv.includes('--no-setup') ? new Map<Client, string | null>() : setup(clients);
  const results: CheckResult[] = [];
  const zk: ZooKeeperCluster | null = replicas > 1 ? await startZooKeeper() : null;
  try {
    for (const transport of transports) {
      const checks = CHECKS.filter((c) => c !== 'no_client_cert' || transport === 'mtls');
      const data = fs.mkdtempSync(path.join(os.tmpdir(), `quiver-clients-${transport}-`));
      const cluster = zk ? ['--zk', zk.connect, '--cluster', `clients-${transport}-${Date.now().toString(36)}`] : [];
      const servers: Server[] = [];
      const stopAll = async () => (await Promise.all(servers.map((s) => s.stop()))).map((log, i) => `--- replica ${i} ---\n${log.slice(-4000)}`).join('\n');
      try {
        for (let i = 0; i < replicas; i++) {
          servers.push(await startServer(`quiver (${transport}, replica ${i})`, [process.execPath, path.join(repo, 'bin/quiver.js'), 'serve', '--data', data, ...serverArgs(transport), ...cluster], repo));
        }
        const port = await entryPort(transport, servers);
        // The three clients at once, each on its own table: they share the server as users would.
        const runs = await Promise.all(clients.map(async (client) => {
          const why = missing.get(client);
          if (why) return { client, why, proc: null };
          const table = `${client}-${transport}-${Date.now().toString(36)}`;
          const proc = await run(clientArgs(client, transport, port, table, replicas), CLIENT_TIMEOUT_MS);
          // Once the client has written its table (both DoPuts acknowledged), pyarrow reads it.
          const wrote = /^\{"check": ?"append", ?"ok": ?true/m.test(proc.output);
          const cross = wrote && !missing.get('python') ? await run(crossReadArgs(transport, port, table), CLIENT_TIMEOUT_MS) : null;
          if (cross) proc.output += `\n${cross.output}`;
          return { client, why: null, proc };
        }));
        const serverLog = await stopAll();
        for (const { client, why, proc } of runs) {
          if (!proc) {
            for (const check of checks) results.push({ client, transport, check, outcome: 'not-installed', detail: why ?? '' });
            continue;
          }
          const reported = new Map<string, { ok: boolean; detail: string; ms?: number }>();
          for (const line of proc.output.split('\n')) {
            if (!line.startsWith('{"check"')) continue;
            try {
              const r = JSON.parse(line) as { check: string; ok: boolean; detail: string; ms?: number };
              reported.set(r.check, r);
            } catch {
              // a log line that happens to look like JSON: the check stays unreported
            }
          }
          for (const check of checks) {
            const r = reported.get(check);
            if (!r && check === 'read_by_pyarrow' && !reported.get('append')?.ok) {
              results.push({ client, transport, check, outcome: 'fail', detail: 'not run: append failed' });
              continue;
            }
            const detail = r?.detail ?? (proc.timedOut ? `no result: the client ran out of its ${CLIENT_TIMEOUT_MS / 1000} s` : `no result: the client exited with ${proc.code ?? proc.signal}`);
            const ok = r?.ok === true;
            results.push({ client, transport, check, outcome: ok ? 'pass' : 'fail', detail, ...(r?.ms !== undefined ? { ms: r.ms } : {}), ...(ok ? {} : { output: proc.output.slice(-8000), serverLog }) });
          }
        }
      } finally {
        await stopAll();
        fs.rmSync(data, { recursive: true, force: true });
      }
    }
  } finally {
    await zk?.stop();
  }
  const report: ClientsReport = { started: new Date(started).toISOString(), replicas, versions: versions(), seconds: Math.round((Date.now() - started) / 100) / 10, results };
  const out = opt('--out') ?? path.join(cache, 'clients/results.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

const MARK = { pass: 'ok', fail: 'FAIL', 'not-installed': 'n/i' } as const;

/** client x transport rows, one column per check. */
export function resultsTable(report: ClientsReport): string {
  const rows = new Map<string, Map<string, CheckResult>>();
  for (const r of report.results) {
    const key = `${r.client} | ${r.transport}`;
    if (!rows.has(key)) rows.set(key, new Map());
    rows.get(key)!.set(r.check, r);
  }
  const header = ['client | transport', ...CHECKS];
  const lines = [...rows].map(([key, byCheck]) => [key, ...CHECKS.map((c) => (byCheck.has(c) ? MARK[byCheck.get(c)!.outcome] : '-'))]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  const failures = report.results.filter((r) => r.outcome !== 'pass').map((r) => `  ${r.client} ${r.transport} ${r.check}: ${r.outcome}: ${r.detail}`);
  const versions = Object.entries(report.versions).map(([k, v]) => `${k} ${v}`).join(', ');
  const servers = report.replicas > 1 ? `${report.replicas} replicas per transport, clients on a follower` : 'one server per transport';
  return [fmt(header), ...lines.map(fmt), '', `${versions}; ${servers}; ${report.seconds} s`, ...(failures.length ? ['', 'not passed:', ...failures] : [])].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const report = await runClients(process.argv.slice(2));
  console.log(resultsTable(report));
  const passed = report.results.filter((r) => r.outcome === 'pass').length;
  console.log(`\n${passed} passed, ${report.results.length - passed} failed`);
  process.exitCode = passed === report.results.length ? 0 : 1;
}
