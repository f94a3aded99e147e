// Server reflection through a real reflection client (grpc-js speaking grpc.reflection.v1 with
// the reflection.proto that @grpc/reflection ships): it lists the services, fetches the file
// descriptors that define Flight (with their dependencies), and with nothing but those calls a
// unary method, as grpcurl does. When grpcurl itself is on PATH it is run as well.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { FlightClient } from '../../src/client/index.ts';
import { sampleTable } from '../harness/flight-tables.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';

const require = createRequire(import.meta.url);
const REFLECTION_PROTO = path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto/grpc/reflection/v1/reflection.proto');
const Reflection = (grpc.loadPackageDefinition(protoLoader.loadSync(REFLECTION_PROTO, { keepCase: true, defaults: true, oneofs: true })) as unknown as {
  grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } };
}).grpc.reflection.v1.ServerReflection;

interface ReflectionResponse {
  message_response: string;
  list_services_response?: { service: { name: string }[] };
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  error_response?: { error_code: number; error_message: string };
}

/** One request on the bidirectional ServerReflectionInfo stream, one response. */
async function ask(address: string, request: Record<string, unknown>): Promise<ReflectionResponse> {
  const client = new Reflection(address, grpc.credentials.createInsecure()) as grpc.Client & Record<string, Function>;
  try {
    const call = client.ServerReflectionInfo!() as grpc.ClientDuplexStream<unknown, ReflectionResponse>;
    const answer = new Promise<ReflectionResponse>((resolve, reject) => {
      call.once('data', resolve);
      call.once('error', reject);
    });
    call.write(request);
    call.end();
    return await answer;
  } finally {
    client.close();
  }
}

describe('reflection', () => {
  let proc: QuiverProcess;
  before(async () => {
    proc = await startQuiver();
    const client = new FlightClient(`grpc+tcp://${proc.address}`);
    try {
      await client.doPut('reflected', sampleTable(3, 4));
    } finally {
      client.close();
    }
  });
  after(async () => {
    await proc?.stop('SIGKILL');
  });

  test('lists the Flight, health and reflection services', async () => {
    const res = await ask(proc.address, { list_services: '' });
    const names = res.list_services_response!.service.map((s) => s.name).sort();
    for (const want of ['arrow.flight.protocol.FlightService', 'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection']) {
      assert.ok(names.includes(want), `${want} listed; got ${names.join(', ')}`);
    }
  });

  test('describes FlightService well enough to call GetFlightInfo from the descriptors alone', async () => {
    const res = await ask(proc.address, { file_containing_symbol: 'arrow.flight.protocol.FlightService' });
    assert.equal(res.message_response, 'file_descriptor_response', JSON.stringify(res.error_response));
    const files = res.file_descriptor_response!.file_descriptor_proto.map((b) => descriptor.FileDescriptorProto.decode(b));
    const root = (protobuf.Root as unknown as { fromDescriptor(d: unknown): protobuf.Root }).fromDescriptor(descriptor.FileDescriptorSet.fromObject({ file: files.map((f) => descriptor.FileDescriptorProto.toObject(f)) }));
    root.resolveAll();
    const service = root.lookupService('arrow.flight.protocol.FlightService');
    const methods = Object.keys(service.methods).sort();
    assert.deepEqual(methods, ['DoAction', 'DoExchange', 'DoGet', 'DoPut', 'GetFlightInfo', 'GetSchema', 'Handshake', 'ListActions', 'ListFlights', 'PollFlightInfo']);
    const getFlightInfo = service.methods.GetFlightInfo!;
    assert.equal(getFlightInfo.responseStream ?? false, false);
    assert.equal(root.lookupType('arrow.flight.protocol.FlightData').fields.data_body?.id, 1000);

    const Descriptor = root.lookupType(getFlightInfo.requestType);
    const Info = root.lookupType(getFlightInfo.responseType);
    const DescriptorType = root.lookupEnum('arrow.flight.protocol.FlightDescriptor.DescriptorType');
    const generic = new grpc.Client(proc.address, grpc.credentials.createInsecure());
    try {
      const reply = await new Promise<Buffer>((resolve, reject) => {
        generic.makeUnaryRequest(
          `/arrow.flight.protocol.FlightService/GetFlightInfo`,
          (m: Uint8Array) => Buffer.from(m),
          (b: Buffer) => b,
          Descriptor.encode(Descriptor.fromObject({ type: DescriptorType.values.PATH, path: ['reflected'] })).finish(),
          (err, value) => (err ? reject(err) : resolve(value!)),
        );
      });
      const info = Info.toObject(Info.decode(reply), { longs: Number }) as { total_records: number; endpoint: unknown[] };
      assert.equal(info.total_records, 12);
      assert.ok(info.endpoint.length >= 1);
    } finally {
      generic.close();
    }
  });

  test('grpcurl lists, describes and calls through reflection', { skip: !process.env.GRPCURL && 'set GRPCURL to a grpcurl binary to run it' }, async () => {
    const run = promisify(execFile);
    const grpcurl = process.env.GRPCURL!;
    const list = await run(grpcurl, ['-plaintext', proc.address, 'list']);
    assert.match(list.stdout, /^arrow\.flight\.protocol\.FlightService$/m);
    const described = await run(grpcurl, ['-plaintext', proc.address, 'describe', 'arrow.flight.protocol.FlightService']);
    assert.match(described.stdout, /rpc GetFlightInfo \( \.arrow\.flight\.protocol\.FlightDescriptor \) returns \( \.arrow\.flight\.protocol\.FlightInfo \)/);
    const called = await run(grpcurl, ['-plaintext', '-d', '{"type": "PATH", "path": ["reflected"]}', proc.address, 'arrow.flight.protocol.FlightService/GetFlightInfo']);
    const info = JSON.parse(called.stdout) as { totalRecords?: string; total_records?: string };
    assert.equal(info.totalRecords ?? info.total_records, '12', called.stdout);
  });
});
