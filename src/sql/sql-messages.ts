// Flight SQL messages on the wire: proto/FlightSql.proto loaded at run time with the options the
// generated types were made with, and google.protobuf.Any, in which every Flight SQL command,
// ticket, action body and action result travels. The one file of src/sql that knows protobuf.
import '@grpc/proto-loader'; // registers google/protobuf/descriptor.proto, which FlightSql.proto imports
import protobuf from 'protobufjs';
import { invalidArgument } from '../errors.ts';
import { FLIGHT_SQL_PROTO, LOADER_OPTIONS } from '../wire/proto-options.ts';

export const SQL_PACKAGE = 'arrow.flight.protocol.sql';
export const ANY_PREFIX = 'type.googleapis.com/';

const root = new protobuf.Root().loadSync(FLIGHT_SQL_PROTO, { keepCase: true });
root.resolveAll();
const anyType = new protobuf.Type('Any').add(new protobuf.Field('type_url', 1, 'string')).add(new protobuf.Field('value', 2, 'bytes'));
new protobuf.Root().define('google.protobuf').add(anyType);

// Enums as their names, int64 as decimal strings where exactness matters is not needed here
// (record counts fit), bytes as Buffers; optional fields stay absent when unset.
const toObjectOptions = { ...LOADER_OPTIONS, longs: Number, enums: String, bytes: Buffer } as protobuf.IConversionOptions;

/** The Flight SQL messages src/sql reads or writes, by their proto names. */
export type SqlMessageName =
  | 'CommandGetSqlInfo' | 'CommandGetXdbcTypeInfo' | 'CommandGetCatalogs' | 'CommandGetDbSchemas' | 'CommandGetTables'
  | 'CommandGetTableTypes' | 'CommandGetPrimaryKeys' | 'CommandGetExportedKeys' | 'CommandGetImportedKeys' | 'CommandGetCrossReference'
  | 'CommandStatementQuery' | 'CommandStatementSubstraitPlan' | 'TicketStatementQuery' | 'CommandPreparedStatementQuery'
  | 'CommandStatementUpdate' | 'CommandPreparedStatementUpdate' | 'CommandStatementIngest'
  | 'ActionCreatePreparedStatementRequest' | 'ActionCreatePreparedStatementResult' | 'ActionClosePreparedStatementRequest'
  | 'ActionCreatePreparedSubstraitPlanRequest' | 'ActionBeginTransactionRequest' | 'ActionEndTransactionRequest'
  | 'ActionBeginSavepointRequest' | 'ActionEndSavepointRequest' | 'ActionCancelQueryRequest' | 'ActionCancelQueryResult'
  | 'DoPutUpdateResult' | 'DoPutPreparedStatementResult';

export function encodeSql(type: SqlMessageName, value: object): Buffer {
  const t = root.lookupType(`${SQL_PACKAGE}.${type}`);
  // fromObject, not verify: enums are given by name, as they are decoded.
  return Buffer.from(t.encode(t.fromObject(value)).finish());
}

export function decodeSql<T>(type: SqlMessageName, bytes: Uint8Array): T {
  const t = root.lookupType(`${SQL_PACKAGE}.${type}`);
  try {
    return t.toObject(t.decode(bytes), toObjectOptions) as T;
  } catch (e) {
    throw invalidArgument(`malformed ${type}: ${(e as Error).message}`);
  }
}

/** An Any packing `type` from the Flight SQL package, serialized. */
export function packSql(type: SqlMessageName, value: object): Buffer {
  return packAny(`${ANY_PREFIX}${SQL_PACKAGE}.${type}`, encodeSql(type, value));
}

export function packAny(typeUrl: string, value: Uint8Array): Buffer {
  return Buffer.from(anyType.encode({ type_url: typeUrl, value }).finish());
}

/**
 * The Flight SQL message an Any holds: its name and serialized value; null when the bytes are
 * not an Any of the Flight SQL package (quiver's own JSON commands and tickets, for one).
 */
export function unpackSql(bytes: Uint8Array): { type: string; value: Uint8Array } | null {
  // An Any starts with field 1 (type_url), tag 0x0a; JSON ('{') and quiver tickets ('q') never do.
  if (bytes.byteLength === 0 || bytes[0] !== 0x0a) return null;
  let any: { type_url: string; value: Uint8Array };
  try {
    any = anyType.decode(bytes) as unknown as { type_url: string; value: Uint8Array };
  } catch {
    return null;
  }
  const prefix = `${ANY_PREFIX}${SQL_PACKAGE}.`;
  // Some clients write the type URL without the host part; the message name is what counts.
  const url = any.type_url ?? '';
  const name = url.startsWith(prefix) ? url.slice(prefix.length) : url.startsWith(`${SQL_PACKAGE}.`) ? url.slice(SQL_PACKAGE.length + 1) : null;
  if (name === null) return null;
  return { type: name, value: any.value ?? new Uint8Array(0) };
}
