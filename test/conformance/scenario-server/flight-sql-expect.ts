// The flight_sql* scenario servers check every request field the clients are known to send, as
// the reference servers do: a field quiver's Flight SQL definitions decode wrongly (a field
// number, a type, an optional's presence) then fails the client's run with INVALID_ARGUMENT
// naming the field, instead of passing unnoticed.
import { isDeepStrictEqual } from 'node:util';
import type { Schema } from 'apache-arrow';
import { invalidArgument } from '../../../src/errors.ts';

/** Throws INVALID_ARGUMENT unless `actual` deep-equals `expected` (Buffers compare by bytes). */
export function expectField(what: string, expected: unknown, actual: unknown): void {
  const norm = (v: unknown) => (Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v);
  if (!isDeepStrictEqual(norm(expected), norm(actual))) {
    throw invalidArgument(`${what}: expected ${JSON.stringify(norm(expected))}, got ${JSON.stringify(norm(actual))}`);
  }
}

/** Field names, types, nullability and metadata, as the clients' schema equality compares them. */
export function expectSchema(what: string, expected: Schema, actual: Schema): void {
  const describe = (s: Schema) => s.fields.map((f) => ({
    name: f.name, type: String(f.type), nullable: f.nullable, metadata: Object.fromEntries([...f.metadata].sort()),
  }));
  expectField(what, describe(expected), describe(actual));
}
