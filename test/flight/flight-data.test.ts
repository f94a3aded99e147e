// The hand-written FlightData codec must agree byte for byte with protobuf's own encoding,
// and decoding must hand out views of the input rather than copies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import protobuf from 'protobufjs';
import { decodeFlightData, encodeFlightData, prebuiltFlightData } from '../../src/wire/flight-data.ts';
import { FLIGHT_PROTO } from '../../src/wire/proto-options.ts';

const FlightData = protobuf.loadSync(FLIGHT_PROTO).lookupType('arrow.flight.protocol.FlightData');

test('encoding matches protobufjs for every combination of fields', () => {
  const header = Buffer.from([1, 2, 3, 4, 5]);
  const body = Buffer.alloc(300, 7);
  const meta = Buffer.from('ack-1');
  const descriptor = { type: 'PATH' as const, cmd: new Uint8Array(0), path: ['a', 'ü/b'] };
  for (const withDescriptor of [false, true]) {
    for (const withMeta of [false, true]) {
      const ours = encodeFlightData({ header, body, ...(withMeta ? { appMetadata: meta } : {}), ...(withDescriptor ? { descriptor } : {}) });
      const theirs = FlightData.encode(FlightData.fromObject({
        dataHeader: header,
        dataBody: body,
        ...(withMeta ? { appMetadata: meta } : {}),
        ...(withDescriptor ? { flightDescriptor: { type: 1, path: descriptor.path } } : {}),
      })).finish();
      assert.deepEqual(ours, Buffer.from(theirs));
    }
  }
});

test('decoding returns views of the received buffer', () => {
  const body = Buffer.alloc(1 << 20, 9);
  const wire = encodeFlightData({ header: Buffer.from('hdr'), body, appMetadata: Buffer.from('m') });
  const msg = decodeFlightData(wire);
  assert.equal(msg.body.buffer, wire.buffer, 'data_body must not be copied');
  assert.equal(msg.body.byteLength, body.byteLength);
  assert.equal(Buffer.from(msg.header).toString(), 'hdr');
  assert.equal(Buffer.from(msg.appMetadata!).toString(), 'm');
  assert.equal(msg.descriptor, undefined);
});

test('an empty app_metadata field reads as absent and is never written', () => {
  const wire = FlightData.encode(FlightData.fromObject({ dataHeader: Buffer.from('h'), appMetadata: Buffer.alloc(0) })).finish();
  assert.equal(decodeFlightData(wire).appMetadata, undefined);
  const ours = encodeFlightData({ header: Buffer.from('h'), body: new Uint8Array(0), appMetadata: new Uint8Array(0) });
  assert.equal(FlightData.decode(ours).toJSON().appMetadata, undefined);
});

test('descriptors decode with their type, command and path', () => {
  const wire = FlightData.encode(FlightData.fromObject({ flightDescriptor: { type: 2, cmd: Buffer.from('{"table":"t"}') } })).finish();
  const d = decodeFlightData(wire).descriptor!;
  assert.equal(d.type, 'CMD');
  assert.equal(Buffer.from(d.cmd).toString(), '{"table":"t"}');
  assert.deepEqual(d.path, []);
});

test('unknown fields are skipped and truncated input is an error', () => {
  const wire = Buffer.concat([Buffer.from([0x28, 0x96, 0x01]), encodeFlightData({ header: Buffer.from('h'), body: Buffer.from('b') })]);
  assert.equal(Buffer.from(decodeFlightData(wire).body).toString(), 'b');
  assert.throws(() => decodeFlightData(wire.subarray(0, wire.length - 1)), /truncated/);
});

test('a prebuilt message encodes to the same bytes, once: its fields are views of its encoding, the body 8-byte aligned', () => {
  for (const headerLength of [0, 1, 5, 120, 127, 128, 300]) {
    for (const withMeta of [false, true]) {
      const msg = { header: Buffer.alloc(headerLength, 3), body: Buffer.alloc(1000 + headerLength, 9), ...(withMeta ? { appMetadata: Buffer.from('m-1') } : {}) };
      const plain = encodeFlightData(msg);
      const built = prebuiltFlightData(msg);
      const wire = encodeFlightData(built);
      assert.deepEqual(wire, plain);
      assert.equal(encodeFlightData(built), wire, 'the same Buffer each time, not a new encoding');
      assert.equal(built.body.buffer, wire.buffer, 'the body lives inside the encoding');
      assert.equal(built.header.buffer, wire.buffer);
      assert.equal(built.body.byteOffset % 8, 0);
      assert.deepEqual(Buffer.from(built.body), msg.body);
      assert.deepEqual(Buffer.from(built.header), msg.header);
      if (withMeta) assert.deepEqual(Buffer.from(built.appMetadata!), msg.appMetadata);
      // A message made from it (here: other app_metadata) is encoded anew, never sent stale.
      const changed = { ...built, appMetadata: Buffer.from('other') };
      assert.deepEqual(encodeFlightData(changed), encodeFlightData({ header: msg.header, body: msg.body, appMetadata: Buffer.from('other') }));
    }
  }
});
