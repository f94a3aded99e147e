// Roles through quiver's own TypeScript client: a reader's DoPut and a writer's drop are
// PERMISSION_DENIED naming the role required; an admin's drop goes through; `--auth basic`
// stays the one-admin shorthand next to a users file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { AdminClient, FlightClient, FlightError, GrpcStatus } from '../../src/client/index.ts';
import { startServer, type StartedServer } from '../../src/server/index.ts';
import { writeUsersFile } from '../../src/server/users-file.ts';
import { hashPassword } from '../../src/server/users-passwords.ts';
import { sampleTable } from '../harness/flight-tables.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-roles-'));
let server: StartedServer;

before(async () => {
  const cheap = { ln: 10, r: 8, p: 1 };
  const file = path.join(dir, 'users.json');
  writeUsersFile(file, {
    format: 'json',
    users: [
      { name: 'rita', role: 'read', password: await hashPassword('r-pass', cheap) },
      { name: 'will', role: 'write', password: await hashPassword('w-pass', cheap) },
    ],
  });
  server = await startServer({ usersFile: file, auth: 'basic:root:root-pass' });
});
after(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const as = (username: string, password: string) => FlightClient.connect(server.location, { credentials: { username, password } });
const deniedNeeding = (role: string) => (e: unknown) => e instanceof FlightError && e.code === GrpcStatus.PERMISSION_DENIED && e.details.includes(`needs the ${role} role`);

test('a reader reads but cannot put', async () => {
  const will = await as('will', 'w-pass');
  const rita = await as('rita', 'r-pass');
  try {
    await will.doPut('readable', sampleTable(1, 3));
    assert.equal((await rita.readTable('readable')).numRows, 3);
    await assert.rejects(rita.doPut('readable', sampleTable(1, 3)), deniedNeeding('write'));
    assert.equal((await rita.readTable('readable')).numRows, 3);
  } finally {
    will.close();
    rita.close();
  }
});

test('a writer cannot drop; the --auth basic admin can', async () => {
  const will = await as('will', 'w-pass');
  const root = await as('root', 'root-pass');
  try {
    await will.doPut('doomed', sampleTable(1, 2));
    await assert.rejects(new AdminClient(will).drop('doomed'), deniedNeeding('admin'));
    await assert.rejects(new AdminClient(will).clearCache(), deniedNeeding('admin'));
    await new AdminClient(root).drop('doomed');
    await assert.rejects(root.getFlightInfo('doomed'), (e: unknown) => e instanceof FlightError && e.code === GrpcStatus.NOT_FOUND);
  } finally {
    will.close();
    root.close();
  }
});

test('wrong passwords stay UNAUTHENTICATED', async () => {
  await assert.rejects(as('rita', 'w-pass'), (e: unknown) => e instanceof FlightError && e.code === GrpcStatus.UNAUTHENTICATED);
  await assert.rejects(as('nobody', 'r-pass'), (e: unknown) => e instanceof FlightError && e.code === GrpcStatus.UNAUTHENTICATED);
});
