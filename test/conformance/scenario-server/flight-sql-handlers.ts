// The Flight methods of a flight_sql* scenario, on quiver's handler kit: each call's Any-packed
// command (descriptor, ticket or action body) is decoded with quiver's Flight SQL definitions and
// handed to the metadata commands, the statements or bulk ingestion, as a Flight SQL server
// dispatches them. What a scenario includes is chosen by its options (flight-sql.ts,
// flight-sql-extension.ts, flight-sql-ingestion.ts); anything else is UNIMPLEMENTED.
import type * as grpc from '@grpc/grpc-js';
import type { Schema } from 'apache-arrow';
import { encodeBatch } from '../../../src/arrow/batch-codec.ts';
import { decodeSchema, encodeSchema, inspectMessage } from '../../../src/arrow/ipc-message.ts';
import { QuiverError, invalidArgument } from '../../../src/errors.ts';
import { bidiStream, serverStream, unary, type CallInfo, type KitContext } from '../../../src/flight/handler-kit.ts';
import type { FlightDataMessage } from '../../../src/wire/flight-data.ts';
import type { ActionIn, FlightDescriptorIn, FlightInfo, PutResult, SchemaResult, TicketIn } from '../../../src/wire/protocol.ts';
import { flightInfoSchema } from './arrow-data.ts';
import { expectField, expectSchema } from './flight-sql-expect.ts';
import { INGEST, QUERY_SCHEMA } from './flight-sql-fixtures.ts';
import type { InfoValue } from './flight-sql-info.ts';
import { encode, unpackRequest, type Incoming, type SqlRequest } from './flight-sql-messages.ts';
import { MetadataCommands } from './flight-sql-metadata.ts';
import { FixtureStatements, type StatementFeatures } from './flight-sql-statements.ts';
import type { FlightMethod } from './scenario.ts';

export interface FlightSqlScenarioOptions {
  /** The scenario's SqlInfo values, by code. */
  sqlInfo: ReadonlyMap<number, InfoValue>;
  /** Queries, updates and prepared statements; null leaves them out (flight_sql:ingestion). */
  statements: StatementFeatures | null;
  /** CommandStatementIngest (flight_sql:ingestion). */
  ingest: boolean;
}

type PutCall = grpc.ServerDuplexStream<FlightDataMessage, PutResult>;

/** What a DoPut stream carried after its descriptor: its schema (if any) and record batch rows. */
interface PutStream { schema: Schema | null; rows: number; batches: number }
const EMPTY_PUT: PutStream = { schema: null, rows: 0, batches: 0 };
const UPDATES_ON_FIRST_MESSAGE = new Set(['CommandStatementUpdate', 'CommandStatementSubstraitPlan']);

export function flightSqlHandlers(kit: KitContext, o: FlightSqlScenarioOptions): Partial<Record<FlightMethod, grpc.UntypedHandleCall>> {
  const metadata = new MetadataCommands(o.sqlInfo);
  const statements = o.statements ? new FixtureStatements(o.statements) : null;
  const notHere = (what: string) => new QuiverError('UNIMPLEMENTED', `${what} is not part of this scenario`);

  /** A command's result schema and the ticket DoGet reads it with (GetSchema uses only the schema). */
  const resolve = (d: FlightDescriptorIn, forInfo: boolean): { schema: Schema; ticket: Buffer } => {
    if (d.type !== 'CMD') throw invalidArgument(`Flight SQL commands travel in CMD descriptors; got a ${d.type} descriptor`);
    const req = unpackRequest(d.cmd, 'the descriptor\'s cmd');
    const schema = metadata.schema(req);
    if (schema) {
      if (forInfo) metadata.checkArguments(req);
      // A metadata command is its own ticket (the reference servers do the same, and Arrow Java's
      // client reads the GetSqlInfo request back out of the ticket).
      return { schema, ticket: Buffer.from(d.cmd) };
    }
    const planned = statements?.plan(req, d.cmd);
    if (!planned) throw notHere(req.name);
    return planned;
  };

  return {
    GetFlightInfo: unary(kit, 'GetFlightInfo', async (d: FlightDescriptorIn): Promise<FlightInfo> => {
      const { schema, ticket } = resolve(d, true);
      // No locations: the clients read every endpoint on the connection they asked on.
      return { schema: flightInfoSchema(schema), flight_descriptor: d, endpoint: [{ ticket: { ticket }, location: [] }], total_records: -1, total_bytes: -1 };
    }),
    GetSchema: unary(kit, 'GetSchema', async (d: FlightDescriptorIn): Promise<SchemaResult> => ({ schema: flightInfoSchema(resolve(d, false).schema) })),
    DoGet: serverStream(kit, 'DoGet', async function* (t: TicketIn): AsyncGenerator<FlightDataMessage> {
      const req = unpackRequest(t.ticket, 'the ticket');
      const batch = metadata.batch(req);
      const schema = batch ? metadata.schema(req)! : statements?.read(req);
      if (!schema) throw notHere(`a ${req.name} ticket`);
      yield { header: encodeSchema(schema), body: new Uint8Array(0) };
      // Statement results have no rows in the fixtures: the clients check their schemas only.
      if (batch) for (const f of encodeBatch(batch)) yield { header: f.header, body: f.body };
    }),
    DoPut: bidiStream(kit, 'DoPut', async (call: PutCall, info: CallInfo) => {
      const messages = (call.iterator({ destroyOnReturn: false }) as AsyncIterable<FlightDataMessage>)[Symbol.asyncIterator]();
      const first = await messages.next();
      if (first.done) throw invalidArgument('empty DoPut stream: the first message carries the Flight SQL command');
      const d = first.value.descriptor;
      if (d?.type !== 'CMD') throw invalidArgument('the first DoPut message must carry a CMD descriptor with a Flight SQL command');
      const req = unpackRequest(d.cmd, 'the DoPut descriptor\'s cmd');
      // A statement update carries nothing but its command, and Arrow Java's FlightSqlClient
      // (executeUpdate, executeSubstraitUpdate) waits for the answer before it half-closes: answer
      // on the first message, as the reference servers do. Everything else is read to its end.
      const answer = UPDATES_ON_FIRST_MESSAGE.has(req.name) ? put(req, EMPTY_PUT) : put(req, await readPut(first.value, messages, info));
      info.response.send(call);
      call.write({ app_metadata: answer });
      call.end();
    }),
    DoAction: serverStream(kit, 'DoAction', async function* (action: ActionIn) {
      const bodies = statements?.action(action.type, action.body);
      if (!bodies) throw notHere(`action ${JSON.stringify(action.type)}`);
      for (const body of bodies) yield { body };
    }),
  };

  /** The PutResult.app_metadata answering a DoPut: DoPutUpdateResult or DoPutPreparedStatementResult. */
  function put(req: SqlRequest, stream: PutStream): Buffer {
    if (req.name === 'CommandStatementIngest') {
      if (!o.ingest) throw notHere(req.name);
      expectIngest(req.value, stream);
      return encode('DoPutUpdateResult', { record_count: stream.rows });
    }
    if (!statements) throw notHere(req.name);
    if (req.name === 'CommandPreparedStatementQuery') {
      // Binding parameters: the clients bind one row of the query's own schema.
      if (!stream.schema) throw invalidArgument('a parameter DoPut must carry the parameters\' Schema');
      expectSchema('parameter schema', QUERY_SCHEMA, stream.schema);
      expectField('parameter rows', 1, stream.rows);
      return encode('DoPutPreparedStatementResult', { prepared_statement_handle: statements.bind(req.value.prepared_statement_handle) });
    }
    const count = statements.update(req);
    if (count === null) throw invalidArgument(`${req.name} is not a command DoPut takes`);
    return encode('DoPutUpdateResult', { record_count: count });
  }
}

function expectIngest(cmd: Incoming['CommandStatementIngest'], stream: PutStream): void {
  expectField('CommandStatementIngest.table_definition_options', { if_not_exist: INGEST.ifNotExist, if_exists: INGEST.ifExists }, cmd.table_definition_options);
  expectField('CommandStatementIngest.table', INGEST.table, cmd.table);
  expectField('CommandStatementIngest.schema', INGEST.dbSchema, cmd.schema);
  expectField('CommandStatementIngest.catalog', INGEST.catalog, cmd.catalog);
  expectField('CommandStatementIngest.temporary', INGEST.temporary, cmd.temporary);
  expectField('CommandStatementIngest.transaction_id', INGEST.transactionId, cmd.transaction_id);
  expectField('CommandStatementIngest.options', INGEST.options, cmd.options);
  if (!stream.schema) throw invalidArgument('an ingest stream must start with its Schema');
  expectSchema('ingested schema', INGEST.schema, stream.schema);
}

/** Reads a DoPut to its end: the schema message (first, possibly with the descriptor) and the record batches. */
async function readPut(first: FlightDataMessage, rest: AsyncIterator<FlightDataMessage>, info: CallInfo): Promise<PutStream> {
  const stream: PutStream = { schema: null, rows: 0, batches: 0 };
  const take = (m: FlightDataMessage) => {
    if (m.header.byteLength === 0) return; // a descriptor or app_metadata alone
    const kind = inspectMessage(m.header);
    if (kind.kind === 'schema') {
      if (stream.schema) throw invalidArgument('a DoPut stream carries one Schema');
      stream.schema = decodeSchema(m.header);
    } else if (kind.kind === 'recordBatch') {
      if (!stream.schema) throw invalidArgument('a record batch came before the Schema');
      stream.rows += kind.rows;
      stream.batches++;
    }
  };
  take(first);
  for (let next = await rest.next(); !next.done; next = await rest.next()) {
    if (info.signal.aborted) throw info.signal.reason;
    take(next.value);
  }
  return stream;
}
