// Session options on the real server: quiver.as_of pins reads that name no version to an
// instant, quiver.endpoint_bytes sets the endpoint grain; both live in the session named by the
// cookie the server hands out, and end with CloseSession.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { decodeMessage, encodeMessage } from '../../src/wire/protocol.ts';
import { decodeTicket } from '../../src/flight/tickets.ts';
import { framesOf, pathDescriptor, putMessages } from '../harness/arrow-frames.ts';
import { sampleTable } from '../harness/flight-tables.ts';
import { rawClient, rawPut, type RawClient } from '../harness/raw-flight-client.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';

let server: QuiverProcess;
let client: RawClient;
const committedAt: string[] = [];

before(async () => {
  server = await startQuiver();
  client = rawClient(server.address);
  for (let i = 0; i < 3; i++) {
    const put = await rawPut(client, putMessages(pathDescriptor('events'), framesOf(sampleTable(1, 5))));
    assert.equal(put.error, null);
    committedAt.push(new Date().toISOString());
    await new Promise((r) => setTimeout(r, 30));
  }
});
after(async () => {
  client.close();
  await server.stop();
});

interface ActionOutcome {
  body: Buffer;
  cookie: string | null;
}

function action(type: string, body: Buffer, cookie: string | null): Promise<ActionOutcome> {
  const metadata = new grpc.Metadata();
  if (cookie) metadata.set('cookie', cookie);
  return new Promise((resolve, reject) => {
    const call = client.DoAction({ type, body }, metadata) as grpc.ClientReadableStream<{ body: Buffer }>;
    let setCookie: string | null = null;
    const bodies: Buffer[] = [];
    call.on('metadata', (m: grpc.Metadata) => (setCookie = (m.get('set-cookie')[0] as string | undefined) ?? null));
    call.on('data', (r) => bodies.push(r.body));
    call.on('error', reject);
    call.on('end', () => resolve({ body: bodies[0]!, cookie: setCookie }));
  });
}

function flightInfo(cookie: string | null): Promise<{ endpoint: { ticket: { ticket: Buffer } }[] }> {
  const metadata = new grpc.Metadata();
  if (cookie) metadata.set('cookie', cookie);
  return new Promise((resolve, reject) => {
    client.GetFlightInfo(pathDescriptor('events'), metadata, (err: grpc.ServiceError | null, info: { endpoint: { ticket: { ticket: Buffer } }[] }) => (err ? reject(err) : resolve(info)));
  });
}

const versionOf = (info: { endpoint: { ticket: { ticket: Buffer } }[] }) => decodeTicket(info.endpoint[0]!.ticket.ticket).version;
const set = (options: Record<string, object>) => encodeMessage('SetSessionOptionsRequest', { session_options: options });

test('quiver.as_of pins reads to an instant and quiver.endpoint_bytes sets the endpoint grain, per session', async () => {
  const created = await action('SetSessionOptions', set({ 'quiver.as_of': { string_value: committedAt[0] } }), null);
  assert.deepEqual(decodeMessage<{ errors: object }>('SetSessionOptionsResult', created.body).errors, {});
  const cookie = created.cookie!.split(';')[0]!;
  assert.match(cookie, /^arrow_flight_session_id=/);

  assert.equal(versionOf(await flightInfo(cookie)), 1, 'the session sees version 1, current at that instant');
  assert.equal(versionOf(await flightInfo(null)), 3, 'a caller without the session sees the current version');

  await action('SetSessionOptions', set({ 'quiver.as_of': { string_value: committedAt[1] }, 'quiver.endpoint_bytes': { int64_value: 1 } }), cookie);
  const pinned = await flightInfo(cookie);
  assert.equal(versionOf(pinned), 2);
  assert.equal(pinned.endpoint.length, 2, 'one endpoint per file at a 1-byte grain');

  const got = decodeMessage<{ session_options: Record<string, { string_value?: string }> }>('GetSessionOptionsResult', (await action('GetSessionOptions', encodeMessage('GetSessionOptionsRequest', {}), cookie)).body);
  assert.equal(got.session_options['quiver.as_of']?.string_value, committedAt[1]);

  await action('CloseSession', encodeMessage('CloseSessionRequest', {}), cookie);
  const after = await flightInfo(cookie);
  assert.equal(versionOf(after), 3);
  assert.equal(after.endpoint.length, 1);
});

test('unknown options and bad values are refused one by one; an instant before the table is NOT_FOUND', async () => {
  const res = await action('SetSessionOptions', set({
    'quiver.as_of': { string_value: 'yesterday' },
    'quiver.endpoint_bytes': { int64_value: 0 },
    // Not `catalog`: Flight SQL made that a known option (src/sql/sql-session-options.ts).
    'no.such.option': { string_value: 'main' },
  }), null);
  const errors = decodeMessage<{ errors: Record<string, { value: string }> }>('SetSessionOptionsResult', res.body).errors;
  assert.deepEqual(Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, v.value])), {
    'quiver.as_of': 'INVALID_VALUE',
    'quiver.endpoint_bytes': 'INVALID_VALUE',
    'no.such.option': 'INVALID_NAME',
  });
  const early = await action('SetSessionOptions', set({ 'quiver.as_of': { string_value: '2001-01-01T00:00:00Z' } }), null);
  const cookie = early.cookie!.split(';')[0]!;
  await assert.rejects(flightInfo(cookie), (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND && /no version as of 2001-01-01/.test(e.details));
});
