// The DoPut side of Flight SQL: bulk ingestion (CommandStatementIngest, ADBC's adbc_ingest),
// statements that write (CommandStatementUpdate, CommandPreparedStatementUpdate), and binding
// parameters to a prepared statement (CommandPreparedStatementQuery). Each answers exactly one
// PutResult, at the end: Flight SQL clients take the first PutResult as the call's answer.
// Writes go through quiver's commit path, so they are atomic, and a follower passes the whole
// stream to the leader as a plain DoPut is passed.
import type * as grpc from '@grpc/grpc-js';
import { encodeStream, type IpcFrame } from '../arrow/ipc-framing.ts';
import { inspectMessage } from '../arrow/ipc-message.ts';
import { QuiverError, invalidArgument, notFound } from '../errors.ts';
import { validateBatchLayout } from '../flight/batch-layout.ts';
import type { FlightDataMessage } from '../wire/flight-data.ts';
import type { CallInfo } from '../flight/handler-kit.ts';
import { forwardPut } from '../flight/leader-forwarding.ts';
import { StreamValidator } from '../arrow/validate/stream-validator.ts';
import type { PutResult } from '../wire/protocol.ts';
import { checkPutMessageSize, refuseWhileReadOnly } from '../flight/write-gate.ts';
import { requireRole } from '../flight/roles.ts';
import { CATALOG, DB_SCHEMA } from './catalog-metadata.ts';
import type { SqlCommand, SqlServiceParts } from './sql-service-parts.ts';
import { decodeSql, encodeSql } from './sql-messages.ts';
import { MAX_PARAMETER_BYTES, encodeHandle } from './statement-handles.ts';
import type { IngestWrite, WriteMode } from './table-writes.ts';
import { validateTableName } from '../table-names.ts';

type PutCall = grpc.ServerDuplexStream<FlightDataMessage, PutResult>;

interface IngestRequest {
  table_definition_options?: { if_not_exist?: string; if_exists?: string } | null;
  table: string;
  schema?: string;
  catalog?: string;
  temporary?: boolean;
  transaction_id?: Buffer;
  options?: Record<string, string>;
}

const WRITES = new Set(['CommandStatementIngest', 'CommandStatementUpdate', 'CommandPreparedStatementUpdate']);

export class SqlPuts {
  constructor(private readonly svc: SqlServiceParts) {}

  async run(cmd: SqlCommand, call: PutCall, messages: AsyncIterator<FlightDataMessage>, first: FlightDataMessage, info: CallInfo): Promise<void> {
    const ctx = this.svc.ctx;
    if (WRITES.has(cmd.type)) {
      requireRole(info.identity, 'write', cmd.type);
      refuseWhileReadOnly(ctx, cmd.type);
      const leader = await ctx.writeLeader();
      if (leader) {
        await forwardPut(call, messages, first, leader, info, ctx.peerCredentials);
        return;
      }
    }
    const asOf = this.svc.asOf(info);
    const user = info.identity.user;
    switch (cmd.type) {
      case 'CommandStatementIngest': {
        const count = await this.ingest(decodeSql<IngestRequest>('CommandStatementIngest', cmd.value), messages, first, info);
        return answer(call, encodeSql('DoPutUpdateResult', { record_count: count }));
      }
      case 'CommandStatementUpdate':
      case 'CommandPreparedStatementUpdate': {
        const statement = this.svc.statementOf(cmd);
        // A plain statement update binds nothing, and Arrow Java's FlightSqlClient.executeUpdate
        // waits for the answer before it half-closes: answer it without reading to the end.
        const params = cmd.type === 'CommandStatementUpdate' ? statement.params : (await parameters(messages, first, info)) ?? statement.params;
        const count = await this.svc.statements.update(statement.sql, params, { asOf, signal: info.signal, user });
        return answer(call, encodeSql('DoPutUpdateResult', { record_count: count }));
      }
      case 'CommandPreparedStatementQuery': {
        const params = await parameters(messages, first, info);
        const statement = this.svc.statementOf(cmd);
        const handle = encodeHandle({ sql: statement.sql, ...(params ?? statement.params ? { params: params ?? statement.params } : {}) });
        return answer(call, encodeSql('DoPutPreparedStatementResult', { prepared_statement_handle: handle }));
      }
      case 'CommandStatementSubstraitPlan':
        throw new QuiverError('UNIMPLEMENTED', 'quiver does not run Substrait plans (SqlInfo FLIGHT_SQL_SERVER_SUBSTRAIT is false); send SQL text');
      default:
        throw invalidArgument(`${cmd.type} is not a Flight SQL command DoPut takes: DoPut takes CommandStatementIngest, CommandStatementUpdate, CommandPreparedStatementQuery and CommandPreparedStatementUpdate`);
    }
  }

  private async ingest(req: IngestRequest, messages: AsyncIterator<FlightDataMessage>, first: FlightDataMessage, info: CallInfo): Promise<number> {
    if (req.transaction_id !== undefined && req.transaction_id !== null) throw invalidArgument('quiver has no transactions: ingest without a transaction_id (every ingest is one atomic commit)');
    if (req.temporary) throw invalidArgument('quiver has no temporary tables: ingest into a table (it is one atomic commit, and drop it when done)');
    if (req.catalog !== undefined && req.catalog !== null && req.catalog !== CATALOG) throw notFound(`there is no catalog ${JSON.stringify(req.catalog)}: every quiver table is in catalog ${CATALOG}`);
    if (req.schema !== undefined && req.schema !== null && req.schema !== DB_SCHEMA) throw notFound(`there is no schema ${JSON.stringify(req.schema)}: every quiver table is in schema ${CATALOG}.${DB_SCHEMA}`);
    const table = validateTableName(req.table ?? '');
    if (first.header.byteLength === 0) throw invalidArgument('the first ingest message must carry the Schema of the stream');
    const mode = await this.modeFor(table, req.table_definition_options ?? {});
    const tables = this.svc.tables;
    let write: IngestWrite | null = await tables.begin(table, mode, first.header);
    try {
      // Checked as DoPut checks its batches (Arrow C++'s ValidateFull): whatever is stored, every reader can read.
      const validator = new StreamValidator(write.schema);
      let n = 1;
      for (let next = await messages.next(); !next.done; next = await messages.next()) {
        if (info.signal.aborted) throw info.signal.reason;
        const msg = next.value;
        checkPutMessageSize(this.svc.ctx, msg, ++n);
        if (msg.header.byteLength === 0) continue;
        const m = inspectMessage(msg.header);
        if (m.kind === 'schema') throw invalidArgument('an ingest stream carries one schema, in its first message; this stream sent a second one');
        if (msg.body.byteLength !== m.bodyLength) throw invalidArgument(`malformed Arrow IPC: message ${n} declares a body of ${m.bodyLength} bytes but carries ${msg.body.byteLength}`);
        validateBatchLayout(write.schema, m, msg.body, n - 1);
        // A compressed body is staged as the decompressed batch the validator checked.
        const frame = validator.check(msg.header, msg.body, m, `message ${n}`);
        await write.add(frame, frame.header === msg.header ? m : inspectMessage(frame.header));
      }
      if (info.signal.aborted) throw info.signal.reason;
      refuseWhileReadOnly(this.svc.ctx, 'ingest');
      const committed = await write.commit();
      write = null;
      this.svc.ctx.log.info('committed', { table, version: committed.version, rows: committed.rows, operation: mode, via: 'CommandStatementIngest', user: info.identity.user });
      return committed.rows;
    } finally {
      await write?.abort();
    }
  }

  /** ADBC's ingest modes as table_definition_options: create, append, replace, create_append. */
  private async modeFor(table: string, o: { if_not_exist?: string; if_exists?: string }): Promise<WriteMode> {
    const exists = await this.svc.tables.exists(table);
    if (exists) {
      switch (o.if_exists ?? 'TABLE_EXISTS_OPTION_UNSPECIFIED') {
        case 'TABLE_EXISTS_OPTION_APPEND': return 'append';
        case 'TABLE_EXISTS_OPTION_REPLACE': return 'overwrite';
        default: throw new QuiverError('ALREADY_EXISTS', `table ${JSON.stringify(table)} already exists; ingest in mode append, replace or create_append to write to it`);
      }
    }
    if (o.if_not_exist === 'TABLE_NOT_EXIST_OPTION_FAIL') throw notFound(`table ${JSON.stringify(table)} does not exist; ingest in mode create, replace or create_append to create it`);
    return 'create';
  }
}

/** The parameter batches a DoPut carries, as one Arrow IPC stream (base64); null when it has none. */
async function parameters(messages: AsyncIterator<FlightDataMessage>, first: FlightDataMessage, info: CallInfo): Promise<string | null> {
  const frames: IpcFrame[] = [];
  let bytes = 0;
  const keep = (m: FlightDataMessage) => {
    if (m.header.byteLength === 0) return;
    bytes += m.header.byteLength + m.body.byteLength;
    if (bytes > MAX_PARAMETER_BYTES) throw new QuiverError('RESOURCE_EXHAUSTED', `the bound parameters take more than ${MAX_PARAMETER_BYTES} bytes; bind fewer rows per execution (or ingest the data with bulk ingestion)`);
    frames.push({ header: m.header, body: m.body });
  };
  keep(first);
  for (let next = await messages.next(); !next.done; next = await messages.next()) {
    if (info.signal.aborted) throw info.signal.reason;
    keep(next.value);
  }
  if (frames.length === 0) return null;
  const schema = inspectMessage(frames[0]!.header);
  if (schema.kind !== 'schema') throw invalidArgument('the parameter stream must start with its Schema');
  // A schema without columns binds nothing (clients send one when a statement has no parameters).
  if (schema.schema.fields.length === 0) return null;
  return Buffer.from(encodeStream(frames)).toString('base64');
}

function answer(call: PutCall, appMetadata: Uint8Array): void {
  call.write({ app_metadata: appMetadata });
  call.end();
}
