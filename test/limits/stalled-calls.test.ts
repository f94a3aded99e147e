// Calls that wait on their client end after --stall-timeout and release what they hold: a DoGet
// whose client stops reading is reset (its queued data dropped), a Handshake that never sends its
// request ends DEADLINE_EXCEEDED; the server goes on serving.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { tableFromArrays } from 'apache-arrow';
import { framesOf, pathDescriptor, putMessages } from '../harness/arrow-frames.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';
import { rawClient, rawPut, unaryCall, type RawClient } from '../harness/raw-flight-client.ts';
import { bytesField1, connect, frame, open, outcome } from './raw-h2.ts';

const DEADLINE_EXCEEDED = 4;
const NGHTTP2_CANCEL = 8;

let server: QuiverProcess;
let client: RawClient;

before(async () => {
  server = await startQuiver(['--stall-timeout', '1s']);
  client = rawClient(server.address);
  // About 1.6 MiB: far more than a client's 64 KiB HTTP/2 window.
  const rows = 200_000;
  const table = tableFromArrays({ x: Float64Array.from({ length: rows }, (_, i) => i) });
  const { error } = await rawPut(client, putMessages(pathDescriptor('wide'), framesOf(table)));
  assert.equal(error, null);
});
after(async () => {
  client?.close();
  await server?.stop();
});

test('a DoGet whose client stops reading is reset after --stall-timeout', async () => {
  const info = await unaryCall<{ endpoint: { ticket: { ticket: Buffer } }[] }>(client, 'GetFlightInfo', pathDescriptor('wide'));
  const session = await connect(server.address);
  try {
    const stream = open(session, 'DoGet');
    stream.pause(); // never read: the window closes after 64 KiB
    stream.end(frame(bytesField1(Buffer.from(info.endpoint[0]!.ticket.ticket))));
    const got = await outcome(stream, 20_000, 'a DoGet nobody reads was not reset');
    assert.equal(got.rstCode, NGHTTP2_CANCEL, JSON.stringify(got));
  } finally {
    session.destroy();
  }
  // The server still serves, the same table too.
  const again = await unaryCall<{ total_records: string | number }>(client, 'GetFlightInfo', pathDescriptor('wide'));
  assert.equal(Number(again.total_records), 200_000);
});

test('a Handshake that never sends its request ends DEADLINE_EXCEEDED after --stall-timeout', async () => {
  const session = await connect(server.address);
  try {
    const stream = open(session, 'Handshake');
    const got = await outcome(stream, 20_000, 'a silent Handshake was kept open');
    assert.equal(got.code, DEADLINE_EXCEEDED);
    assert.match(got.message, /Handshake received no request within 1 s/);
  } finally {
    session.destroy();
  }
});
