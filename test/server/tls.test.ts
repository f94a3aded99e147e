// `quiver serve --tls-cert --tls-key [--tls-client-ca]`: a real server process over TLS and mutual
// TLS, driven by quiver's own TypeScript client, with the test certificates of the shared corpus
// (root-ca.pem signs cert0 and cert1, both CN=localhost, no subjectAltName: hence --host localhost).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tableFromArrays } from 'apache-arrow';
import { FlightClient, FlightError, type FlightClientOptions } from '../../src/client/index.ts';
import { startZooKeeper, zooKeeperInstalled, type ZooKeeperCluster } from '../harness/zookeeper.ts';
import { runCli } from '../harness/cli-process.ts';
import { CORPUS, startQuiver, tempDir, type QuiverProcess } from '../harness/quiver-process.ts';

const TLS = path.join(CORPUS, 'tls');
const file = (name: string) => path.join(TLS, name);
const pem = (name: string) => fs.readFileSync(file(name));
const SERVER_TLS = ['--host', 'localhost', '--tls-cert', file('cert0.pem'), '--tls-key', file('cert0.key')];
const MUTUAL_TLS = [...SERVER_TLS, '--tls-client-ca', file('root-ca.pem')];
const trusting = { tls: { ca: pem('root-ca.pem') } } satisfies FlightClientOptions;
const withClientCert = { tls: { ca: pem('root-ca.pem'), cert: pem('cert1.pem'), key: pem('cert1.key') } } satisfies FlightClientOptions;
const DEADLINE = { deadline: 15_000 };
const rows = tableFromArrays({ id: Int32Array.from([1, 2, 3]), name: ['a', 'b', 'c'] });

async function statusOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    assert.ok(e instanceof FlightError, `not a FlightError: ${String(e)}`);
    return e.codeName;
  }
}

async function roundTrip(client: FlightClient, table: string): Promise<string[]> {
  await client.doPut(table, rows, DEADLINE);
  const info = await client.getFlightInfo(table, DEADLINE);
  const read = await client.readTable(info, DEADLINE);
  assert.deepEqual(read.toArray().map((r) => r.toJSON()), rows.toArray().map((r) => r.toJSON()));
  return info.endpoints.flatMap((e) => e.locations);
}

describe('TLS', () => {
  let server: QuiverProcess;
  before(async () => {
    server = await startQuiver(SERVER_TLS);
  });
  after(() => server.stop());

  test('a client trusting the CA reads and writes, and endpoints advertise grpc+tls://', async () => {
    const client = await FlightClient.connect(`grpc+tls://localhost:${server.port}`, trusting);
    try {
      const locations = await roundTrip(client, 'tls-roundtrip');
      assert.deepEqual([...new Set(locations)], [`grpc+tls://localhost:${server.port}`]);
    } finally {
      client.close();
    }
  });

  test('a plaintext client is refused', async () => {
    const client = new FlightClient(`grpc+tcp://localhost:${server.port}`);
    try {
      assert.equal(await statusOf(client.getFlightInfo('anything', DEADLINE)), 'UNAVAILABLE');
    } finally {
      client.close();
    }
  });

  test('a client that does not trust the CA is refused', async () => {
    const client = new FlightClient(`grpc+tls://localhost:${server.port}`, { tls: { ca: pem('cert1.pem') } });
    try {
      assert.equal(await statusOf(client.getFlightInfo('anything', DEADLINE)), 'UNAVAILABLE');
    } finally {
      client.close();
    }
  });
});

describe('mutual TLS', () => {
  let server: QuiverProcess;
  before(async () => {
    server = await startQuiver(MUTUAL_TLS);
  });
  after(() => server.stop());

  test('a client with a certificate the CA signed reads and writes', async () => {
    const client = await FlightClient.connect(`grpc+tls://localhost:${server.port}`, withClientCert);
    try {
      await roundTrip(client, 'mtls-roundtrip');
    } finally {
      client.close();
    }
  });

  test('a client without a certificate is refused', async () => {
    const client = new FlightClient(`grpc+tls://localhost:${server.port}`, trusting);
    try {
      assert.equal(await statusOf(client.getFlightInfo('anything', DEADLINE)), 'UNAVAILABLE');
    } finally {
      client.close();
    }
  });
});

describe('startup errors name the option and the file', () => {
  const serve = (...args: string[]) => runCli(['serve', '--port', '0', '--data', tempDir(), ...args]);
  const cases: [string, string[], RegExp][] = [
    ['an unreadable certificate', ['--tls-cert', file('missing.pem'), '--tls-key', file('cert0.key')], /cannot read --tls-cert .*missing\.pem: ENOENT/],
    ['a key of another certificate', ['--tls-cert', file('cert0.pem'), '--tls-key', file('cert1.key')], /--tls-key .*cert1\.key does not belong to the certificate in --tls-cert .*cert0\.pem/],
    ['a key given as the certificate', ['--tls-cert', file('cert0.key'), '--tls-key', file('cert0.key')], /--tls-cert .*cert0\.key holds no PEM certificate/],
    ['a certificate given as the key', ['--tls-cert', file('cert0.pem'), '--tls-key', file('cert0.pem')], /--tls-key .*cert0\.pem is not a PEM private key/],
    ['a certificate without its key', ['--tls-cert', file('cert0.pem')], /TLS needs both --tls-cert and --tls-key; only --tls-cert was given/],
    ['a client CA without TLS', ['--tls-client-ca', file('root-ca.pem')], /--tls-client-ca needs --tls-cert and --tls-key/],
    ['an unreadable client CA', [...SERVER_TLS.slice(2), '--tls-client-ca', file('missing-ca.pem')], /cannot read --tls-client-ca .*missing-ca\.pem/],
    ['a peer CA that holds no certificate', [...SERVER_TLS.slice(2), '--tls-peer-ca', file('cert0.key')], /--tls-peer-ca .*cert0\.key holds no PEM certificate/],
    ['a peer CA without TLS', ['--tls-peer-ca', file('root-ca.pem')], /--tls-peer-ca needs --tls-cert and --tls-key/],
  ];
  for (const [what, args, message] of cases) {
    test(what, async () => {
      const { code, stdout, stderr } = await serve(...args);
      assert.equal(code, 1, `exit code; stderr: ${stderr}`);
      assert.equal(stdout, '', 'the server must not report that it listens');
      assert.match(stderr, message);
    });
  }

  test('the environment sets the same options', async () => {
    const { code, stderr } = await runCli(['serve', '--port', '0', '--data', tempDir()], { env: { QUIVER_TLS_CERT: file('cert0.pem'), QUIVER_TLS_KEY: file('cert1.key') } });
    assert.equal(code, 1);
    assert.match(stderr, /does not belong to the certificate/);
  });
});

const forwarding: [string, string[], FlightClientOptions][] = [
  ['mutual TLS (trusting the client CA)', MUTUAL_TLS, withClientCert],
  ['TLS (trusting --tls-peer-ca)', [...SERVER_TLS, '--tls-peer-ca', file('root-ca.pem')], trusting],
];
for (const [transport, serverArgs, clientOptions] of forwarding) {
  describe(`a follower forwards writes to its leader over ${transport}`, { skip: zooKeeperInstalled() ? false : 'ZooKeeper is not installed' }, () => {
    let zk: ZooKeeperCluster;
    const replicas: QuiverProcess[] = [];
    before(async () => {
      zk = await startZooKeeper();
      const data = tempDir();
      for (let i = 0; i < 2; i++) replicas.push(await startQuiver([...serverArgs, '--zk', zk.connect, '--cluster', 'tls-test', '--zk-session-timeout', '3s'], data));
    });
    after(async () => {
      await Promise.all(replicas.map((r) => r.stop()));
      await zk?.stop();
    });

    test('a DoPut sent to the follower is committed by the leader', async () => {
      const clients = await Promise.all(replicas.map((r) => FlightClient.connect(`grpc+tls://localhost:${r.port}`, clientOptions)));
      try {
        const statuses = await Promise.all(clients.map(async (c) => {
          for await (const body of c.doAction('cluster-status', '', DEADLINE)) return JSON.parse(Buffer.from(body).toString()) as { is_leader: boolean; leader: { location: string } | null };
          throw new Error('cluster-status returned nothing');
        }));
        const follower = statuses.findIndex((s) => !s.is_leader);
        assert.ok(follower >= 0, `no follower: ${JSON.stringify(statuses)}`);
        assert.match(statuses[follower]!.leader?.location ?? '', /^grpc\+tls:\/\/localhost:\d+$/);
        const locations = await roundTrip(clients[follower]!, 'forwarded-over-tls');
        assert.ok(locations.every((l) => l.startsWith('grpc+tls://localhost:')), `locations ${locations.join(', ')}`);
        const leaderRead = await clients[1 - follower]!.readTable('forwarded-over-tls', DEADLINE);
        assert.equal(leaderRead.numRows, rows.numRows);
      } finally {
        for (const c of clients) c.close();
      }
    });
  });
}
