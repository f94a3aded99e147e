// Runs the client-library checks (test/clients/README.md) of pyarrow, arrow-go and Arrow Java
// against real `quiver serve` processes over plain TCP, TLS and mutual TLS, prints a table
// (client x transport x check) and writes the results as JSON.
//
//   node --import tsx scripts/clients/run-clients.ts [--clients python,go,java]
//        [--transports tcp,tls,mtls] [--out FILE] [--no-setup]
//
// Each client program prints one JSON line per check ({check, ok, detail, ms}); a check a client
// did not report (it crashed, or timed out) counts as failed with the client's output attached.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, startServer } from '../conformance/processes.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cache = process.env.QUIVER_CACHE ?? path.join(repo, '.cache');
const tlsDir = path.resolve(repo, '../shared/corpus/tls');
const tlsFile = (name: string) => path.join(tlsDir, name);

export const CLIENTS = ['python', 'go', 'java'] as const;
export const TRANSPORTS = ['tcp', 'tls', 'mtls'] as const;
export const CHECKS = ['handshake', 'wrong_password', 'put', 'append', 'list_flights', 'read_endpoints', 'not_found', 'wrong_schema', 'no_client_cert'] as const;
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
  if (transport === 'tls') return [...base, ...tls];
  return [...base, ...tls, '--tls-client-ca', tlsFile('root-ca.pem')];
}

function clientArgs(client: Client, transport: Transport, port: number, table: string): string[] {
  const location = `${transport === 'tcp' ? 'grpc+tcp' : 'grpc+tls'}://localhost:${port}`;
  const args = ['--location', location, '--table', table];
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
  const started = Date.now();
  const missing = argv.includes('--no-setup') ? new Map<Client, string | null>() : setup(clients);
  const results: CheckResult[] = [];
  for (const transport of transports) {
    const checks = CHECKS.filter((c) => c !== 'no_client_cert' || transport === 'mtls');
    const data = fs.mkdtempSync(path.join(os.tmpdir(), `quiver-clients-${transport}-`));
    const server = await startServer(`quiver (${transport})`, [process.execPath, path.join(repo, 'bin/quiver.js'), 'serve', '--data', data, ...serverArgs(transport)], repo);
    try {
      // The three clients at once, each on its own table: they share the server as users would.
      const runs = await Promise.all(clients.map(async (client) => {
        const why = missing.get(client);
        if (why) return { client, why, proc: null };
        const table = `${client}-${transport}-${Date.now().toString(36)}`;
        return { client, why: null, proc: await run(clientArgs(client, transport, server.port, table), CLIENT_TIMEOUT_MS) };
      }));
      const serverLog = (await server.stop()).slice(-8000);
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
          const detail = r?.detail ?? (proc.timedOut ? `no result: the client ran out of its ${CLIENT_TIMEOUT_MS / 1000} s` : `no result: the client exited with ${proc.code ?? proc.signal}`);
          const ok = r?.ok === true;
          results.push({ client, transport, check, outcome: ok ? 'pass' : 'fail', detail, ...(r?.ms !== undefined ? { ms: r.ms } : {}), ...(ok ? {} : { output: proc.output.slice(-8000), serverLog }) });
        }
      }
    } finally {
      await server.stop();
      fs.rmSync(data, { recursive: true, force: true });
    }
  }
  const report: ClientsReport = { started: new Date(started).toISOString(), versions: versions(), seconds: Math.round((Date.now() - started) / 100) / 10, results };
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
  return [fmt(header), ...lines.map(fmt), '', `${versions}; ${report.seconds} s`, ...(failures.length ? ['', 'not passed:', ...failures] : [])].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const report = await runClients(process.argv.slice(2));
  console.log(resultsTable(report));
  const passed = report.results.filter((r) => r.outcome === 'pass').length;
  console.log(`\n${passed} passed, ${report.results.length - passed} failed`);
  process.exitCode = passed === report.results.length ? 0 : 1;
}
