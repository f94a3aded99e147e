// gRPC server reflection (@grpc/reflection, v1 and v1alpha), so that grpcurl, Postman and other
// generic tools can list this server's services, describe their messages and call the unary
// ones without a copy of our .proto files. It describes the standard protocol as written in
// proto/ (the server's raw FlightData codec is wire-identical to it) and the health service.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as HEALTH_PROTO } from 'grpc-health-check';
import { PROTO_DIR, LOADER_OPTIONS } from '../wire/proto-options.ts';
import { qualifyDescriptors } from './reflection-descriptors.ts';

// The reflection service describes itself too, as grpc-go's and grpc-java's do.
const REFLECTION_PROTO = path.join(path.dirname(createRequire(import.meta.url).resolve('@grpc/reflection/package.json')), 'build/proto/grpc/reflection/v1/reflection.proto');

/** Every .proto of proto/ (Flight, and Flight SQL when present), grpc.health.v1 and grpc.reflection.v1. */
export function reflectedProtos(): string[] {
  const ours = fs.readdirSync(PROTO_DIR).filter((f) => f.endsWith('.proto')).sort().map((f) => path.join(PROTO_DIR, f));
  return [...ours, HEALTH_PROTO, REFLECTION_PROTO];
}

export function addReflection(server: grpc.Server): void {
  const definition = protoLoader.loadSync(reflectedProtos(), { ...LOADER_OPTIONS, includeDirs: [PROTO_DIR] });
  new ReflectionService(qualifyDescriptors(definition)).addToServer(server);
}
