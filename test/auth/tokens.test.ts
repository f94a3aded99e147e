// Bearer tokens are signed with the server's own secret: a token from one secret is refused by a
// server with another, the generated secret file is private to its owner, and knowing a password
// is not enough to mint a token (the key is not derived from it).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { FlightClient, FlightError, GrpcStatus } from '../../src/client/index.ts';
import { startServer, type StartedServer } from '../../src/server/index.ts';
import { issueToken } from '../../src/flight/signed-tokens.ts';
import { sampleTable } from '../harness/flight-tables.ts';

const dirs: string[] = [];
const servers: StartedServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-auth-'));
  dirs.push(d);
  return d;
}

function secretFile(): string {
  const file = path.join(tempDir(), 'secret');
  fs.writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return file;
}

async function serve(options: Parameters<typeof startServer>[0]): Promise<StartedServer> {
  const s = await startServer({ auth: 'basic:alice:secret', ...options });
  servers.push(s);
  return s;
}

const isUnauthenticated = (e: unknown) => e instanceof FlightError && e.code === GrpcStatus.UNAUTHENTICATED;

async function tokenFrom(server: StartedServer): Promise<string> {
  const client = new FlightClient(server.location);
  try {
    const token = await client.handshake({ username: 'alice', password: 'secret' });
    assert.ok(token);
    return token;
  } finally {
    client.close();
  }
}

async function listWith(server: StartedServer, token: string): Promise<void> {
  const client = new FlightClient(server.location, { token });
  try {
    for await (const _ of client.listFlights()) { /* drain */ }
  } finally {
    client.close();
  }
}

test('a token signed with one secret is refused by a server with another, even with the same users', async () => {
  const a = await serve({ tokenSecretFile: secretFile() });
  const b = await serve({ tokenSecretFile: secretFile() });
  const token = await tokenFrom(a);
  await listWith(a, token);
  await assert.rejects(listWith(b, token), isUnauthenticated);
});

test('servers sharing a secret file accept each other\'s tokens', async () => {
  const shared = secretFile();
  const a = await serve({ tokenSecretFile: shared });
  const b = await serve({ tokenSecretFile: shared });
  await listWith(b, await tokenFrom(a));
});

test('the generated secret sits in the data root with mode 0600 and outlives a restart', async () => {
  const data = tempDir();
  const first = await serve({ data });
  const file = path.join(data, 'token-secret');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.ok(fs.readFileSync(file, 'utf8').trim().length >= 32);
  const token = await tokenFrom(first);
  await first.close();
  const again = await serve({ data });
  await listWith(again, token);
});

test('a token cannot be made from the password', async () => {
  const server = await serve({ tokenSecretFile: secretFile() });
  // The key quiver used to derive from the users and passwords, and a few other guesses at it.
  const derived = createHash('sha256').update('quiver bearer token key v1').update('\u0000alice\u0000secret').digest();
  const guesses = [derived, createHash('sha256').update('secret').digest(), Buffer.from('secret'), Buffer.from('alice:secret')];
  for (const key of guesses) {
    await assert.rejects(listWith(server, issueToken(key, 'alice', 3_600_000)), isUnauthenticated);
  }
  // The real token still works, and writes with it.
  const client = new FlightClient(server.location, { token: await tokenFrom(server) });
  try {
    await client.doPut('t', sampleTable(1, 2));
  } finally {
    client.close();
  }
});

test('a token secret file shorter than 32 bytes is refused at start', async () => {
  const file = path.join(tempDir(), 'short');
  fs.writeFileSync(file, 'too-short', { mode: 0o600 });
  await assert.rejects(startServer({ auth: 'basic:alice:secret', tokenSecretFile: file }), /at least 32/);
});
