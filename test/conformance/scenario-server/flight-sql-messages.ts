// The Flight SQL messages of the flight_sql* scenarios, read and written with quiver's own
// definitions: proto/FlightSql.proto (the file src/generated/FlightSql.ts is generated from),
// loaded with the generator's options so that decoded objects have exactly the generated
// `__Output` shapes, and quiver's Any handling from src/sql (unpackSql, packAny). The scenarios
// need a few messages quiver's SQL service never sends (transactions, savepoints), so this file
// keeps its own protobuf root instead of src/sql's, which knows only what quiver answers.
// Like src/wire/protocol.ts, this is the one place here that names generated types.
import protobuf from 'protobufjs';
import { invalidArgument } from '../../../src/errors.ts';
import { ANY_PREFIX, SQL_PACKAGE, packAny, unpackSql } from '../../../src/sql/sql-messages.ts';
import { FLIGHT_SQL_PROTO, LOADER_OPTIONS } from '../../../src/wire/proto-options.ts';
import type { ActionBeginSavepointRequest__Output } from '../../../src/generated/arrow/flight/protocol/sql/ActionBeginSavepointRequest.ts';
import type { ActionBeginSavepointResult } from '../../../src/generated/arrow/flight/protocol/sql/ActionBeginSavepointResult.ts';
import type { ActionBeginTransactionRequest__Output } from '../../../src/generated/arrow/flight/protocol/sql/ActionBeginTransactionRequest.ts';
import type { ActionBeginTransactionResult } from '../../../src/generated/arrow/flight/protocol/sql/ActionBeginTransactionResult.ts';
import type { ActionCancelQueryRequest__Output } from '../../../src/generated/arrow/flight/protocol/sql/ActionCancelQueryRequest.ts';
import type { ActionCancelQueryResult } from '../../../src/generated/arrow/flight/protocol/sql/ActionCancelQueryResult.ts';
import type { ActionClosePreparedStatementRequest__Output } from '../../../src/generated/arrow/flight/protocol/sql/ActionClosePreparedStatementRequest.ts';
import type { ActionCreatePreparedStatementRequest__Output } from '../../../src/generated/arrow/flight/protocol/sql/ActionCreatePreparedStatementRequest.ts';
import type { ActionCreatePreparedStatementResult } from '../../../src/generated/arrow/flight/protocol/sql/ActionCreatePreparedStatementResult.ts';
import type { ActionCreatePreparedSubstraitPlanRequest__Output } from '../../../src/generated/arrow/flight/protocol/sql/ActionCreatePreparedSubstraitPlanRequest.ts';
import type { ActionEndSavepointRequest__Output } from '../../../src/generated/arrow/flight/protocol/sql/ActionEndSavepointRequest.ts';
import type { ActionEndTransactionRequest__Output } from '../../../src/generated/arrow/flight/protocol/sql/ActionEndTransactionRequest.ts';
import type { CommandGetCatalogs__Output } from '../../../src/generated/arrow/flight/protocol/sql/CommandGetCatalogs.ts';
import type { CommandGetCrossReference__Output } from '../../../src/generated/arrow/flight/protocol/sql/CommandGetCrossReference.ts';
import type { CommandGetDbSchemas__Output } from '../../../src/generated/arrow/flight/protocol/sql/CommandGetDbSchemas.ts';
import type { CommandGetExportedKeys__Output } from '../../../src/generated/arrow/flight/protocol/sql/CommandGetExportedKeys.ts';
import type { CommandGetImportedKeys__Output } from '../../../src/generated/arrow/flight/protocol/sql/CommandGetImportedKeys.ts';
import type { CommandGetPrimaryKeys__Output } from '../../../src/generated/arrow/flight/protocol/sql/CommandGetPrimaryKeys.ts';
import type { CommandGetSqlInfo__Output } from '../../../src/generated/arrow/flight/protocol/sql/CommandGetSqlInfo.ts';
import type { CommandGetTableTypes__Output } from '../../../src/generated/arrow/flight/protocol/sql/CommandGetTableTypes.ts';
import type { CommandGetTables__Output } from '../../../src/generated/arrow/flight/protocol/sql/CommandGetTables.ts';
import type { CommandGetXdbcTypeInfo__Output } from '../../../src/generated/arrow/flight/protocol/sql/CommandGetXdbcTypeInfo.ts';
import type { CommandPreparedStatementQuery__Output } from '../../../src/generated/arrow/flight/protocol/sql/CommandPreparedStatementQuery.ts';
import type { CommandPreparedStatementUpdate__Output } from '../../../src/generated/arrow/flight/protocol/sql/CommandPreparedStatementUpdate.ts';
import type { CommandStatementIngest__Output } from '../../../src/generated/arrow/flight/protocol/sql/CommandStatementIngest.ts';
import type { CommandStatementQuery__Output } from '../../../src/generated/arrow/flight/protocol/sql/CommandStatementQuery.ts';
import type { CommandStatementSubstraitPlan__Output } from '../../../src/generated/arrow/flight/protocol/sql/CommandStatementSubstraitPlan.ts';
import type { CommandStatementUpdate__Output } from '../../../src/generated/arrow/flight/protocol/sql/CommandStatementUpdate.ts';
import type { DoPutPreparedStatementResult } from '../../../src/generated/arrow/flight/protocol/sql/DoPutPreparedStatementResult.ts';
import type { DoPutUpdateResult } from '../../../src/generated/arrow/flight/protocol/sql/DoPutUpdateResult.ts';
import type { TicketStatementQuery, TicketStatementQuery__Output } from '../../../src/generated/arrow/flight/protocol/sql/TicketStatementQuery.ts';

/** What a client sends: commands (in descriptors and tickets) and action requests, as decoded. */
export interface Incoming {
  CommandGetSqlInfo: CommandGetSqlInfo__Output;
  CommandGetXdbcTypeInfo: CommandGetXdbcTypeInfo__Output;
  CommandGetCatalogs: CommandGetCatalogs__Output;
  CommandGetDbSchemas: CommandGetDbSchemas__Output;
  CommandGetTables: CommandGetTables__Output;
  CommandGetTableTypes: CommandGetTableTypes__Output;
  CommandGetPrimaryKeys: CommandGetPrimaryKeys__Output;
  CommandGetExportedKeys: CommandGetExportedKeys__Output;
  CommandGetImportedKeys: CommandGetImportedKeys__Output;
  CommandGetCrossReference: CommandGetCrossReference__Output;
  CommandStatementQuery: CommandStatementQuery__Output;
  CommandStatementSubstraitPlan: CommandStatementSubstraitPlan__Output;
  CommandPreparedStatementQuery: CommandPreparedStatementQuery__Output;
  CommandStatementUpdate: CommandStatementUpdate__Output;
  CommandPreparedStatementUpdate: CommandPreparedStatementUpdate__Output;
  CommandStatementIngest: CommandStatementIngest__Output;
  TicketStatementQuery: TicketStatementQuery__Output;
  ActionCreatePreparedStatementRequest: ActionCreatePreparedStatementRequest__Output;
  ActionCreatePreparedSubstraitPlanRequest: ActionCreatePreparedSubstraitPlanRequest__Output;
  ActionClosePreparedStatementRequest: ActionClosePreparedStatementRequest__Output;
  ActionBeginTransactionRequest: ActionBeginTransactionRequest__Output;
  ActionEndTransactionRequest: ActionEndTransactionRequest__Output;
  ActionBeginSavepointRequest: ActionBeginSavepointRequest__Output;
  ActionEndSavepointRequest: ActionEndSavepointRequest__Output;
  ActionCancelQueryRequest: ActionCancelQueryRequest__Output;
}

/** What the server answers: action results, DoPut results and tickets. */
export interface Outgoing {
  ActionCreatePreparedStatementResult: ActionCreatePreparedStatementResult;
  ActionBeginTransactionResult: ActionBeginTransactionResult;
  ActionBeginSavepointResult: ActionBeginSavepointResult;
  ActionCancelQueryResult: ActionCancelQueryResult;
  DoPutUpdateResult: DoPutUpdateResult;
  DoPutPreparedStatementResult: DoPutPreparedStatementResult;
  TicketStatementQuery: TicketStatementQuery;
}

export type CommandName = keyof Incoming;

const root = new protobuf.Root().loadSync(FLIGHT_SQL_PROTO, { keepCase: true });
root.resolveAll();
const conversion = { ...LOADER_OPTIONS, longs: Number, enums: String, bytes: Buffer } as protobuf.IConversionOptions;
const type = (name: string) => root.lookupType(`${SQL_PACKAGE}.${name}`);

/** A decoded Flight SQL command or action request, tagged with its message name. */
export type SqlRequest = { [N in CommandName]: { name: N; value: Incoming[N] } }[CommandName];

function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(NAMES, name);
}
// Incoming's keys at run time (the interface itself is erased).
const NAMES: Record<CommandName, true> = {
  CommandGetSqlInfo: true, CommandGetXdbcTypeInfo: true, CommandGetCatalogs: true, CommandGetDbSchemas: true, CommandGetTables: true,
  CommandGetTableTypes: true, CommandGetPrimaryKeys: true, CommandGetExportedKeys: true, CommandGetImportedKeys: true,
  CommandGetCrossReference: true, CommandStatementQuery: true, CommandStatementSubstraitPlan: true, CommandPreparedStatementQuery: true,
  CommandStatementUpdate: true, CommandPreparedStatementUpdate: true, CommandStatementIngest: true, TicketStatementQuery: true,
  ActionCreatePreparedStatementRequest: true, ActionCreatePreparedSubstraitPlanRequest: true, ActionClosePreparedStatementRequest: true,
  ActionBeginTransactionRequest: true, ActionEndTransactionRequest: true, ActionBeginSavepointRequest: true, ActionEndSavepointRequest: true,
  ActionCancelQueryRequest: true,
};

/**
 * The Flight SQL message in Any-packed bytes (a CMD descriptor's cmd, a ticket, an action body),
 * decoded; INVALID_ARGUMENT when the bytes are not one of the messages a client sends.
 */
export function unpackRequest(bytes: Uint8Array, where: string): SqlRequest {
  const any = unpackSql(bytes);
  if (!any) throw invalidArgument(`${where} is not a google.protobuf.Any of a ${SQL_PACKAGE} message`);
  if (!isCommandName(any.type)) throw invalidArgument(`${where} holds ${any.type}, which no Flight SQL client sends there`);
  return { name: any.type, value: decode(any.type, any.value) } as SqlRequest;
}

/** `bytes` as the Any-packed message `expected`, or INVALID_ARGUMENT naming what came instead. */
export function unpackAs<N extends CommandName>(expected: N, bytes: Uint8Array, where: string): Incoming[N] {
  const request = unpackRequest(bytes, where);
  if (request.name !== expected) throw invalidArgument(`${where} holds ${request.name}; expected ${expected}`);
  return request.value as Incoming[N];
}

function decode<N extends CommandName>(name: N, bytes: Uint8Array): Incoming[N] {
  try {
    return type(name).toObject(type(name).decode(bytes), conversion) as Incoming[N];
  } catch (e) {
    throw invalidArgument(`malformed ${name}: ${(e as Error).message}`);
  }
}

/** A serialized message (DoPut results travel bare in PutResult.app_metadata). */
export function encode<N extends keyof Outgoing>(name: N, value: Outgoing[N]): Buffer {
  const t = type(name);
  return Buffer.from(t.encode(t.fromObject(value)).finish());
}

/** A message packed in an Any (action results, statement tickets). */
export function pack<N extends keyof Outgoing>(name: N, value: Outgoing[N]): Buffer {
  return packAny(`${ANY_PREFIX}${SQL_PACKAGE}.${name}`, encode(name, value));
}
