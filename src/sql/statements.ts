// Running SQL statements for the protocol: planning with the right pins, executing a ticket's
// plan again with exactly those pins, and turning the writes SQL can express (CREATE TABLE AS,
// INSERT, DROP TABLE) into quiver commits. A write runs where it is planned and exactly once:
// ADBC's cursor.execute sends DDL as a query, and a server that deferred it to a DoGet that
// never comes would accept it and silently not run it.
import { Field, Int64, RecordBatch, Schema, tableFromIPC } from 'apache-arrow';
import { encodeBatch } from '../arrow/batch-codec.ts';
import { encodeSchema } from '../arrow/ipc-message.ts';
import { QuiverError, notFound } from '../errors.ts';
import type { Logger } from '../flight/context.ts';
import type { FlightDataMessage } from '../wire/flight-data.ts';
import { batchFromRows } from './arrow-columns.ts';
import type { PlannedStatement, SqlEngine } from './engine/sql-engine.ts';
import { insertShaper } from './insert-rows.ts';
import { SnapshotResolver } from './snapshot-resolver.ts';
import { advertisedParameterSchema, describedSchema } from './sql-types.ts';
import { encodeHandle, type CountHandle, type Pins, type StatementHandle } from './statement-handles.ts';
import type { TableWrites } from './table-writes.ts';

/** The one-row answer of a write that arrived as a query: how many rows it wrote. */
export const COUNT_SCHEMA = new Schema([new Field('count', new Int64(), false)]);

/**
 * Encoded Schema messages of result schemas, as clients see them (describedSchema), by the
 * engine's schema object: a plan reused for a repeated query keeps its schema object, so its
 * GetFlightInfo and DoGet send the bytes encoded the first time (apache-arrow's encoder costs
 * milliseconds for a schema with Flight SQL column metadata, twice per query otherwise).
 */
const schemaHeaders = new WeakMap<Schema, Uint8Array>();

export function resultSchemaHeader(schema: Schema): Uint8Array {
  let header = schemaHeaders.get(schema);
  if (!header) {
    header = encodeSchema(describedSchema(schema));
    schemaHeaders.set(schema, header);
  }
  return header;
}

/** The same for a plan's parameter schema, as CreatePreparedStatement advertises it. */
const parameterHeaders = new WeakMap<Schema, Uint8Array>();

function parameterSchemaHeader(schema: Schema): Uint8Array {
  let header = parameterHeaders.get(schema);
  if (!header) {
    header = encodeSchema(advertisedParameterSchema(schema));
    parameterHeaders.set(schema, header);
  }
  return header;
}

const COUNT_SCHEMA_HEADER = encodeSchema(COUNT_SCHEMA);

export interface StatementSettings {
  readonly retentionMs: number;
  /** Throws when writes are refused right now (read-only, or `user`'s role); `what` names the statement. */
  checkWritable(what: string, user: string): void;
}

export interface PlanOptions {
  /** The session's quiver.as_of (ms since the epoch). */
  asOf?: number;
  pins?: Pins;
}

export interface WriteOutcome {
  count: number;
  /** What the log says about it. */
  table: string;
  operation: 'create' | 'append' | 'drop' | 'none';
  version?: number;
}

export class Statements {
  constructor(
    private readonly engine: SqlEngine,
    private readonly tables: TableWrites,
    private readonly settings: StatementSettings,
    private readonly log: Logger,
  ) {}

  /** Plans `sql`; the caller closes the plan. */
  async plan(sql: string, options: PlanOptions = {}): Promise<{ planned: PlannedStatement; pins: Pins }> {
    const resolver = new SnapshotResolver(this.tables, { ...options, retentionMs: this.settings.retentionMs });
    const planned = await this.engine.plan(sql, resolver);
    return { planned, pins: resolver.pins };
  }

  /**
   * The result schema a client sees for `sql` (nothing runs; a write's is the count) and the
   * parameter schema it advertises, as encoded Schema messages.
   */
  async schemaOf(sql: string, options: PlanOptions = {}, params?: string): Promise<{ schemaHeader: Uint8Array; isUpdate: boolean; parameterHeader: Uint8Array }> {
    const { planned } = await this.plan(sql, options);
    try {
      const isUpdate = planned.statement.kind !== 'query';
      return {
        schemaHeader: isUpdate ? COUNT_SCHEMA_HEADER : resultSchemaHeader(await boundSchema(planned, params)),
        isUpdate,
        parameterHeader: parameterSchemaHeader(planned.parameterSchema),
      };
    } finally {
      await planned.close();
    }
  }

  /**
   * GetFlightInfo of a statement: a query is planned and its handle pins what it read; a write
   * runs now, once, and its handle carries the count.
   */
  async ticketFor(
    sql: string,
    params: string | undefined,
    options: PlanOptions & { signal: AbortSignal; user: string; /** Runs a write elsewhere (the leader); null: here. */ remoteWrite?: () => Promise<number | null> },
  ): Promise<{ schemaHeader: Uint8Array; handle: Buffer }> {
    const { planned, pins } = await this.plan(sql, options);
    try {
      if (planned.statement.kind === 'query') {
        return { schemaHeader: resultSchemaHeader(await boundSchema(planned, params)), handle: encodeHandle({ sql, pins, ...(params ? { params } : {}) }) };
      }
      this.settings.checkWritable('a write statement', options.user);
      const remote = options.remoteWrite ? await options.remoteWrite() : null;
      const count = remote ?? (await this.write(planned, params, options.signal, options.user)).count;
      return { schemaHeader: COUNT_SCHEMA_HEADER, handle: encodeHandle({ count }) };
    } finally {
      await planned.close();
    }
  }

  /** A write statement (DoPut CommandStatementUpdate / CommandPreparedStatementUpdate): its count. */
  async update(sql: string, params: string | undefined, options: PlanOptions & { signal: AbortSignal; user: string }): Promise<number> {
    const { planned } = await this.plan(sql, options);
    try {
      if (planned.statement.kind === 'query') {
        throw new QuiverError('INVALID_ARGUMENT', 'this statement is a query: it returns rows, so run it as a query (GetFlightInfo + DoGet), not as an update');
      }
      return (await this.write(planned, params, options.signal, options.user)).count;
    } finally {
      await planned.close();
    }
  }

  /** DoGet of a statement ticket: the planned versions' result, streamed. */
  async *execute(handle: StatementHandle | CountHandle, signal: AbortSignal): AsyncGenerator<FlightDataMessage> {
    if ('count' in handle) {
      yield { header: COUNT_SCHEMA_HEADER, body: new Uint8Array(0) };
      yield* framesOf(batchFromRows(COUNT_SCHEMA, [{ count: BigInt(handle.count) }]));
      return;
    }
    const { planned } = await this.plan(handle.sql, { pins: handle.pins ?? {} });
    try {
      if (planned.statement.kind !== 'query') throw new QuiverError('INVALID_ARGUMENT', 'this ticket holds a write; writes run when planned, never from a ticket');
      yield { header: resultSchemaHeader(await boundSchema(planned, handle.params)), body: new Uint8Array(0) };
      for await (const frame of resultFrames(planned, handle.params, signal)) {
        if (signal.aborted) throw signal.reason;
        yield frame;
      }
    } finally {
      await planned.close();
    }
  }

  private async write(planned: PlannedStatement, params: string | undefined, signal: AbortSignal, user: string): Promise<WriteOutcome> {
    const s = planned.statement;
    const what = s.kind === 'create-table-as' ? 'CREATE TABLE AS' : s.kind === 'insert' ? 'INSERT' : s.kind === 'drop-table' ? 'DROP TABLE' : s.kind;
    if (s.kind === 'query') throw new Error('not a write');
    this.settings.checkWritable(what, user);
    let outcome: WriteOutcome;
    if (s.kind === 'drop-table') {
      if (!(await this.tables.exists(s.table))) {
        if (!s.ifExists) throw notFound(`table ${JSON.stringify(s.table)} does not exist`);
        outcome = { count: 0, table: s.table, operation: 'none' };
      } else {
        await this.tables.drop(s.table);
        outcome = { count: 0, table: s.table, operation: 'drop' };
      }
    } else if (s.kind === 'create-table-as') {
      if (s.ifNotExists && (await this.tables.exists(s.table))) {
        outcome = { count: 0, table: s.table, operation: 'none' };
      } else {
        const c = await this.tables.commitRows(s.table, 'create', await boundSchema(planned, params), run(planned, params, signal));
        outcome = { count: c.rows, table: s.table, operation: 'create', version: c.version };
      }
    } else {
      const target = await this.tables.version(s.table);
      const shape = insertShaper(s.table, target.pinned.schema, await boundSchema(planned, params), s.columns);
      const rows = async function* () {
        for await (const b of run(planned, params, signal)) yield shape(b);
      };
      const c = await this.tables.commitRows(s.table, 'append', target.pinned.schema, rows());
      outcome = { count: c.rows, table: s.table, operation: 'append', version: c.version };
    }
    this.log.info('sql write', { statement: what, table: outcome.table, operation: outcome.operation, rows: outcome.count, ...(outcome.version ? { version: outcome.version } : {}), user });
    return outcome;
  }
}

/**
 * The schema the plan's batches have with these bound parameters: columns the plan could not
 * type before the parameters were known (`SELECT ? + 1`) take the types the parameters give them,
 * so a FlightInfo or GetSchema after binding and the DoGet stream agree.
 */
async function boundSchema(planned: PlannedStatement, params: string | undefined): Promise<Schema> {
  if (!params || !planned.schemaWith) return planned.schema;
  return planned.schemaWith(tableFromIPC(Buffer.from(params, 'base64')).schema);
}

/** The plan's batches: once without parameters, else once per bound parameter batch. */
async function* run(planned: PlannedStatement, params: string | undefined, signal: AbortSignal): AsyncGenerator<RecordBatch> {
  if (!params) {
    yield* planned.execute(null, { signal });
    return;
  }
  for (const batch of tableFromIPC(Buffer.from(params, 'base64')).batches) {
    if (batch.numRows === 0) continue;
    yield* planned.execute(batch, { signal });
  }
}

/** The plan's result as IPC messages: encoded by the engine when it can (executeIpc), else here. */
async function* resultFrames(planned: PlannedStatement, params: string | undefined, signal: AbortSignal): AsyncGenerator<FlightDataMessage> {
  const executeIpc = planned.executeIpc?.bind(planned);
  if (!executeIpc) {
    for await (const batch of run(planned, params, signal)) yield* framesOf(batch);
    return;
  }
  if (!params) {
    for await (const f of executeIpc(null, { signal })) yield { header: f.header, body: f.body };
    return;
  }
  for (const batch of tableFromIPC(Buffer.from(params, 'base64')).batches) {
    if (batch.numRows === 0) continue;
    for await (const f of executeIpc(batch, { signal })) yield { header: f.header, body: f.body };
  }
}

function* framesOf(batch: RecordBatch): Generator<FlightDataMessage> {
  for (const f of encodeBatch(batch)) yield { header: f.header, body: f.body };
}
