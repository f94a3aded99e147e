// The hand-written FlightInfo encoder must say what protobufjs says, and give up (null) on
// anything outside the shape it knows so that protobufjs encodes that instead.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeFlightInfo } from '../../src/wire/flight-info-codec.ts';
import { decodeMessage, encodeMessage } from '../../src/wire/protocol.ts';

const schema = Buffer.from([0xff, 0xff, 0xff, 0xff, 8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
const endpoint = (n: number) => ({
  ticket: { ticket: Buffer.from(`ticket-${n}`) },
  location: [{ uri: 'grpc+tcp://127.0.0.1:1234' }, { uri: 'arrow-flight-reuse-connection://?' }],
  expiration_time: { seconds: 1_800_000_000 + n, nanos: 123_000_000 },
});

const infos: Record<string, object> = {
  'a table': { schema, flight_descriptor: { type: 'PATH', cmd: Buffer.alloc(0), path: ['a', 'ü', ''] }, endpoint: [endpoint(1), endpoint(2)], total_records: 10_000_000, total_bytes: 358_900_000, ordered: true },
  'unknown totals, a command, app_metadata': { schema, flight_descriptor: { type: 'CMD', cmd: Buffer.from('{"table":"t"}'), path: [] }, endpoint: [{ ticket: { ticket: Buffer.from('x') }, location: [], app_metadata: Buffer.from('m') }], total_records: -1, total_bytes: -1, ordered: false, app_metadata: Buffer.from('info') },
  'nothing but zeros': { schema: Buffer.alloc(0), endpoint: [], total_records: 0, total_bytes: 0 },
  'large totals': { schema, endpoint: [endpoint(3)], total_records: 2 ** 53 - 1, total_bytes: 2 ** 40 + 5, ordered: true },
};

for (const [name, info] of Object.entries(infos)) {
  test(`FlightInfo encoded by hand decodes as protobufjs's encoding does: ${name}`, () => {
    const ours = encodeFlightInfo(info);
    assert.ok(ours, 'the writer took it');
    const options = { longs: String };
    assert.deepEqual(decodeMessage('FlightInfo', ours, options), decodeMessage('FlightInfo', encodeMessage('FlightInfo', info), options));
  });
}

test('a FlightInfo of another shape is left to protobufjs', () => {
  assert.equal(encodeFlightInfo({ schema, extra: 1 }), null);
  assert.equal(encodeFlightInfo({ schema: 'base64?' }), null);
  assert.equal(encodeFlightInfo({ schema, total_records: '12' }), null);
  assert.equal(encodeFlightInfo({ schema, total_records: 2 ** 60 }), null);
  assert.equal(encodeFlightInfo({ schema, endpoint: [{ ticket: { ticket: Buffer.from('x') }, location: [{ uri: 'u', x: 1 }] }] }), null);
  assert.equal(encodeFlightInfo({ schema, endpoint: [{ expiration_time: { seconds: '1', nanos: 0 } }] }), null);
});
