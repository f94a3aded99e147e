// Flight SQL on quiver's Flight service: the Flight handlers hand any call whose descriptor,
// ticket or action is Flight SQL's to this object, which decodes the Any-packed command and
// dispatches it. Same port, auth, request ids, error mapping and logs as every other call,
// because the calls still pass through the Flight handlers and their handler kit.
import type * as grpc from '@grpc/grpc-js';
import type { RecordBatch, Schema } from 'apache-arrow';
import { encodeBatch } from '../arrow/batch-codec.ts';
import { encodeSchema } from '../arrow/ipc-message.ts';
import { QuiverError, invalidArgument } from '../errors.ts';
import type { FlightContext } from '../flight/context.ts';
import type { DescriptorLike } from '../flight/descriptors.ts';
import type { FlightDataMessage } from '../wire/flight-data.ts';
import type { CallInfo } from '../flight/handler-kit.ts';
import type { ActionIn, ActionType, FlightDescriptorIn, FlightInfo, PutResult, SchemaResult } from '../wire/protocol.ts';
import { encapsulatedSchema } from '../flight/read-plan.ts';
import { readDefaults } from '../flight/read-session.ts';
import { refuseWhileReadOnly } from '../flight/write-gate.ts';
import { requireRoleOf } from '../flight/roles.ts';
import { batchFromRows } from './arrow-columns.ts';
import {
  CATALOGS_SCHEMA, DB_SCHEMAS_SCHEMA, FOREIGN_KEYS_SCHEMA, PRIMARY_KEYS_SCHEMA, TABLE_TYPES_SCHEMA, XDBC_TYPE_INFO_SCHEMA,
  catalogsBatch, dbSchemasBatch, tableTypesBatch, tablesBatch, tablesSchema, xdbcTypeInfoBatch, type TablesRequest,
} from './catalog-metadata.ts';
import type { SqlEngine } from './engine/sql-engine.ts';
import { SqlActions } from './sql-actions.ts';
import type { SqlCommand, SqlServiceParts } from './sql-service-parts.ts';
import { SQL_INFO_SCHEMA, sqlInfoBatch } from './sql-info.ts';
import { decodeSql, packSql, unpackSql } from './sql-messages.ts';
import { SqlPuts } from './sql-puts.ts';
import { RunningQueries } from './running-queries.ts';
import { Statements } from './statements.ts';
import { decodeHandle, encodeHandle, type StatementHandle } from './statement-handles.ts';
import { updateOnLeader } from './leader-writes.ts';
import { TableWrites } from './table-writes.ts';

interface MetadataCommand {
  schema(value: Uint8Array): Schema;
  batch(value: Uint8Array, svc: FlightSqlService): Promise<RecordBatch> | RecordBatch;
}

const fixed = (schema: Schema, batch: (value: Uint8Array, svc: FlightSqlService) => Promise<RecordBatch> | RecordBatch): MetadataCommand => ({ schema: () => schema, batch });
const emptyKeys = (schema: Schema) => fixed(schema, () => batchFromRows(schema, []));

const METADATA: Record<string, MetadataCommand> = {
  CommandGetSqlInfo: fixed(SQL_INFO_SCHEMA, (v, svc) => sqlInfoBatch(decodeSql<{ info: number[] }>('CommandGetSqlInfo', v).info ?? [], { readOnly: svc.ctx.readOnly })),
  CommandGetCatalogs: fixed(CATALOGS_SCHEMA, () => catalogsBatch()),
  CommandGetDbSchemas: fixed(DB_SCHEMAS_SCHEMA, (v) => dbSchemasBatch(decodeSql('CommandGetDbSchemas', v))),
  CommandGetTables: {
    schema: (v) => tablesSchema(decodeSql<TablesRequest>('CommandGetTables', v)),
    batch: async (v, svc) => tablesBatch(decodeSql<TablesRequest>('CommandGetTables', v), await svc.tables.tables()),
  },
  CommandGetTableTypes: fixed(TABLE_TYPES_SCHEMA, () => tableTypesBatch()),
  CommandGetPrimaryKeys: emptyKeys(PRIMARY_KEYS_SCHEMA),
  CommandGetExportedKeys: emptyKeys(FOREIGN_KEYS_SCHEMA),
  CommandGetImportedKeys: emptyKeys(FOREIGN_KEYS_SCHEMA),
  CommandGetCrossReference: emptyKeys(FOREIGN_KEYS_SCHEMA),
  CommandGetXdbcTypeInfo: fixed(XDBC_TYPE_INFO_SCHEMA, (v) => xdbcTypeInfoBatch(decodeSql('CommandGetXdbcTypeInfo', v))),
};

const NO_TRANSACTIONS = 'quiver has no transactions: every statement commits on its own (SqlInfo FLIGHT_SQL_SERVER_TRANSACTION says none)';
const NO_SUBSTRAIT = 'quiver does not run Substrait plans (SqlInfo FLIGHT_SQL_SERVER_SUBSTRAIT is false); send SQL text';

export type { SqlCommand };

export class FlightSqlService implements SqlServiceParts {
  readonly tables: TableWrites;
  readonly statements: Statements;
  readonly running = new RunningQueries();
  private readonly actions: SqlActions;
  private readonly puts: SqlPuts;

  constructor(readonly ctx: FlightContext, engine: SqlEngine) {
    this.tables = new TableWrites(() => ctx.store);
    this.statements = new Statements(engine, this.tables, {
      get retentionMs() {
        return ctx.retentionMs;
      },
      checkWritable: (what, user) => {
        refuseWhileReadOnly(ctx, what);
        requireRoleOf(ctx.auth, user, what === 'DROP TABLE' ? 'admin' : 'write', what);
      },
    }, ctx.log);
    this.actions = new SqlActions(this);
    this.puts = new SqlPuts(this);
  }

  /** The Flight SQL command a CMD descriptor carries; null for anything else (quiver's own descriptors). */
  command(d: DescriptorLike | null | undefined): SqlCommand | null {
    if (!d || (d.type !== 'CMD' && d.type !== 2)) return null;
    return unpackSql(d.cmd);
  }

  /** The Flight SQL ticket in DoGet's bytes; null for quiver's own tickets. */
  ticket(bytes: Uint8Array): SqlCommand | null {
    return unpackSql(bytes);
  }

  /** The session's quiver.as_of, which applies to SQL as to GetFlightInfo. */
  asOf(info: CallInfo): number | undefined {
    return readDefaults(this.ctx.sessions, info.metadata).asOf;
  }

  async flightInfo(cmd: SqlCommand, descriptor: FlightDescriptorIn, info: CallInfo): Promise<FlightInfo> {
    const meta = METADATA[cmd.type];
    // A metadata command is its own ticket, as the C++ reference server has it: the descriptor's Any bytes.
    if (meta) return this.info(encodeSchema(meta.schema(cmd.value)), Buffer.from(descriptor.cmd), descriptor);
    const { sql, params } = this.statementOf(cmd);
    const planned = await this.statements.ticketFor(sql, params, {
      asOf: this.asOf(info),
      signal: info.signal,
      user: info.identity.user,
      // A follower cannot publish: a write arriving as a query commits on the leader.
      remoteWrite: async () => {
        const leader = await this.ctx.writeLeader();
        return leader ? updateOnLeader(leader, encodeHandle({ sql, ...(params ? { params } : {}) }), info, this.ctx.peerCredentials) : null;
      },
    });
    return this.info(planned.schemaHeader, packSql('TicketStatementQuery', { statement_handle: planned.handle }), descriptor);
  }

  async schema(cmd: SqlCommand, info: CallInfo): Promise<SchemaResult> {
    const meta = METADATA[cmd.type];
    if (meta) return { schema: encapsulatedSchema(encodeSchema(meta.schema(cmd.value))) };
    const { sql, params } = this.statementOf(cmd);
    const { schemaHeader } = await this.statements.schemaOf(sql, { asOf: this.asOf(info) }, params);
    return { schema: encapsulatedSchema(schemaHeader) };
  }

  async *doGet(cmd: SqlCommand, ticket: Uint8Array, info: CallInfo): AsyncGenerator<FlightDataMessage> {
    const meta = METADATA[cmd.type];
    if (meta) {
      const schema = meta.schema(cmd.value);
      yield { header: encodeSchema(schema), body: new Uint8Array(0) };
      for (const f of encodeBatch(await meta.batch(cmd.value, this))) yield { header: f.header, body: f.body };
      return;
    }
    if (cmd.type !== 'TicketStatementQuery') throw invalidArgument(`${cmd.type} is not a ticket: DoGet takes the ticket of an endpoint GetFlightInfo returned`);
    const { statement_handle } = decodeSql<{ statement_handle: Buffer }>('TicketStatementQuery', cmd.value);
    const handle = decodeHandle(statement_handle);
    const run = this.running.start(ticket, info.signal);
    try {
      yield* this.statements.execute(handle, run.signal);
    } finally {
      run.done();
    }
  }

  doPut(cmd: SqlCommand, call: grpc.ServerDuplexStream<FlightDataMessage, PutResult>, messages: AsyncIterator<FlightDataMessage>, first: FlightDataMessage, info: CallInfo): Promise<void> {
    return this.puts.run(cmd, call, messages, first, info);
  }

  /** True for the actions Flight SQL defines, and for CancelFlightInfo of a Flight SQL FlightInfo. */
  handlesAction(action: ActionIn): boolean {
    return this.actions.handles(action);
  }

  doAction(action: ActionIn, info: CallInfo): AsyncGenerator<Uint8Array> {
    return this.actions.run(action, info);
  }

  actionTypes(): ActionType[] {
    return this.actions.types();
  }

  /** The SQL and bound parameters a statement command names. */
  statementOf(cmd: SqlCommand): { sql: string; params?: string; prepared: boolean } {
    switch (cmd.type) {
      case 'CommandStatementQuery':
      case 'CommandStatementUpdate': {
        const q = decodeSql<{ query: string; transaction_id?: Buffer }>(cmd.type, cmd.value);
        if (q.transaction_id !== undefined && q.transaction_id !== null) throw new QuiverError('INVALID_ARGUMENT', `${NO_TRANSACTIONS}; send the statement without a transaction_id`);
        return { sql: q.query, prepared: false };
      }
      case 'CommandPreparedStatementQuery':
      case 'CommandPreparedStatementUpdate': {
        const p = decodeSql<{ prepared_statement_handle: Buffer }>(cmd.type, cmd.value);
        const handle = decodeHandle(p.prepared_statement_handle);
        if ('count' in handle) throw invalidArgument('this handle is a result ticket, not a prepared statement');
        return { sql: handle.sql, ...(handle.params ? { params: handle.params } : {}), prepared: true };
      }
      case 'CommandStatementSubstraitPlan':
        throw new QuiverError('UNIMPLEMENTED', NO_SUBSTRAIT);
      default:
        throw invalidArgument(`${cmd.type} is not a Flight SQL command this call takes`);
    }
  }

  /** A prepared statement's handle with `params` bound. */
  boundHandle(cmd: SqlCommand, params: string): StatementHandle {
    const { sql } = this.statementOf(cmd);
    return { sql, params };
  }

  private async info(schemaHeader: Uint8Array, ticket: Buffer, descriptor: FlightDescriptorIn): Promise<FlightInfo> {
    const location = (await this.ctx.locations()).map((uri) => ({ uri }));
    return {
      schema: encapsulatedSchema(schemaHeader),
      flight_descriptor: descriptor,
      endpoint: [{ ticket: { ticket }, location }],
      total_records: -1,
      total_bytes: -1,
      ordered: false,
    };
  }
}

export const SQL_ERRORS = { NO_TRANSACTIONS, NO_SUBSTRAIT };
