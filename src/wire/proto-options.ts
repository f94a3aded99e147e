// One set of options for both the type generator (scripts/gen-proto.ts) and the run-time
// loader, so that the generated types describe exactly the objects grpc-js hands us.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROTO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../proto');
export const FLIGHT_PROTO = path.join(PROTO_DIR, 'Flight.proto');
export const FLIGHT_SQL_PROTO = path.join(PROTO_DIR, 'FlightSql.proto');

export const LOADER_OPTIONS = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
} as const;

/** The same options spelled as proto-loader-gen-types flags. */
export const GENERATOR_FLAGS = ['--keepCase', '--longs=Number', '--enums=String', '--defaults', '--oneofs', '--grpcLib=@grpc/grpc-js'];
