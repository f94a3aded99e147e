// Endpoint leases and cancelled-ticket records are bounded (--max-endpoint-leases each), and a
// renewal holds a version one retention period from now: the expiration_time a client puts in
// its RenewFlightEndpointRequest cannot pin a version for longer.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { tableFromArrays } from 'apache-arrow';
import { FlightClient, GrpcStatus, type FlightError, type FlightInfo } from '../../src/client/index.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';

const LIMIT = 4;
const RETENTION_MS = 3_600_000;

let server: QuiverProcess;
let client: FlightClient;
const infos: FlightInfo[] = [];

before(async () => {
  server = await startQuiver(['--max-endpoint-leases', String(LIMIT), '--retention', '1h']);
  client = new FlightClient(`grpc+tcp://${server.address}`);
  for (let i = 0; i <= LIMIT; i++) {
    await client.doPut({ type: 'PATH', path: [`leased-${i}`] }, tableFromArrays({ x: Int32Array.from([i]) }));
    infos.push(await client.getFlightInfo({ type: 'PATH', path: [`leased-${i}`] }));
  }
});
after(async () => {
  client?.close();
  await server?.stop();
});

test('a renewal asking for the year 3000 gets one retention period from now', async () => {
  const endpoint = { ...infos[0]!.endpoints[0]!, expirationTime: new Date('3000-01-01T00:00:00Z') };
  const before = Date.now();
  const renewed = await client.renewFlightEndpoint(endpoint);
  const until = renewed.expirationTime!.getTime();
  assert.ok(until >= before + RETENTION_MS - 1000 && until <= Date.now() + RETENTION_MS + 1000, `renewed until ${renewed.expirationTime!.toISOString()}`);
});

test('leases beyond --max-endpoint-leases are RESOURCE_EXHAUSTED; renewing a held one still works', async () => {
  for (let i = 1; i < LIMIT; i++) await client.renewFlightEndpoint(infos[i]!.endpoints[0]!);
  await assert.rejects(client.renewFlightEndpoint(infos[LIMIT]!.endpoints[0]!), (e: FlightError) => {
    assert.equal(e.code, GrpcStatus.RESOURCE_EXHAUSTED);
    assert.match(e.message, /already holds 4 endpoint leases .*--max-endpoint-leases/);
    return true;
  });
  await client.renewFlightEndpoint(infos[0]!.endpoints[0]!);
});

test('cancelled-ticket records beyond --max-endpoint-leases are RESOURCE_EXHAUSTED, never forgotten', async () => {
  for (let i = 0; i < LIMIT; i++) assert.equal(await client.cancelFlightInfo(infos[i]!), 'CANCELLED');
  await assert.rejects(client.cancelFlightInfo(infos[LIMIT]!), (e: FlightError) => {
    assert.equal(e.code, GrpcStatus.RESOURCE_EXHAUSTED);
    assert.match(e.message, /cancelled tickets .*--max-endpoint-leases/);
    return true;
  });
  // Every cancellation that was answered CANCELLED still holds.
  for (let i = 0; i < LIMIT; i++) await assert.rejects(client.doGet(infos[i]!.endpoints[0]!).readAll(), (e: FlightError) => e.code === GrpcStatus.CANCELLED);
  assert.equal((await client.doGet(infos[LIMIT]!.endpoints[0]!).readAll()).numRows, 1);
});
