// The SqlEngine backed by one embedded DuckDB instance per server. DuckDB runs in-process (no
// extra service to start); this file owns its boot-time sandbox and the plan -> execute life of
// a statement. Each statement gets its own connection because temp views, our snapshot pins,
// are per connection: the views it creates name exactly the files of the versions it pinned.
import os from 'node:os';
import path from 'node:path';
import {
  DuckDBInstance, DuckDBMaterializedResult, DuckDBTypeId, StatementType, type DuckDBConnection, type DuckDBDataChunk, type DuckDBPreparedStatement, type DuckDBType,
} from '@duckdb/node-api';
import { Field, Null, Schema, Type, type DataType, type RecordBatch } from 'apache-arrow';
import { QuiverError, invalidArgument } from '../../errors.ts';
import { encodeBatch } from '../../arrow/batch-codec.ts';
import type { IpcFrame } from '../../arrow/ipc-framing.ts';
import { ChunkBatcher } from './chunk-to-arrow.ts';
import { fromDuckDbError, type InterruptReason } from './duckdb-errors.ts';
import { checkFunction } from './function-policy.ts';
import { bindParameterRow } from './parameter-binding.ts';
import { castParameters } from './parameter-casts.ts';
import { QueryGate } from './query-gate.ts';
import { parseQueryTree, type BaseTableRef, type QueryTree } from './query-tree.ts';
import { ParkedPlans } from './parked-plans.ts';
import { materializeResult } from './result-mode.ts';
import { DictionaryIds, arrowTypeOf, flightSqlMetadata, type ColumnOrigin } from './result-types.ts';
import { SQL_CATALOG, SQL_SCHEMA, quiverTableOf } from './sql-names.ts';
import { SUPPORTED_STATEMENTS } from './statement-kind.ts';
import { attachQuiverCatalog, useQuiverCatalog } from './quiver-catalog.ts';
import { classifyOrSyntaxError } from './syntax-errors.ts';
import { isKeyword, isPunct, quoteIdentifier, quoteLiteral, tokenize } from './sql-tokens.ts';
import { typeInsertParameters } from './insert-parameter-types.ts';
import { createSnapshotRelation, type SnapshotRelation } from './snapshot-views.ts';
import { IpcFileStore, attachIpcCatalog } from './ipc-store.ts';
import type { PinnedTable, PlannedStatement, SqlEngine, SqlEngineOptions, StatementKind, TableResolver } from './sql-engine.ts';

/** Arrow bytes per result batch: under the 4 MiB gRPC message limit most clients keep by default. */
export const RESULT_BATCH_BYTES = 3.5 * 1024 * 1024;

export async function openDuckDbEngine(options: SqlEngineOptions): Promise<SqlEngine> {
  const tablesDir = path.join(path.resolve(options.dataRoot), 'tables') + path.sep;
  const config: Record<string, string> = {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    // An in-memory database would otherwise spill to ./.tmp; with no temp directory a query over
    // the memory limit fails with RESOURCE_EXHAUSTED instead of writing outside the data root.
    temp_directory: '',
  };
  // DuckDB's memory_limit is instance-wide (it cannot be set per connection): with it the limit
  // means "all SQL queries running at once together", and one query alone may use all of it.
  if (options.memoryLimitBytes !== undefined) config.memory_limit = `${Math.max(1, Math.floor(options.memoryLimitBytes / 1024))}KiB`;
  const instance = await DuckDBInstance.create(':memory:', config);
  const boot = await instance.connect();
  // Order matters: allowed_directories must be set while external access is still on, and
  // lock_configuration last so no statement can undo either.
  await attachQuiverCatalog(boot);
  await attachIpcCatalog(boot);
  await boot.run(`SET allowed_directories=[${quoteLiteral(tablesDir)}]`);
  await boot.run('SET enable_external_access=false');
  await boot.run('SET lock_configuration=true');
  boot.closeSync();
  // Read per query, so options whose members are getters over live settings apply at once.
  const gate = new QueryGate(() => options.maxConcurrentQueries ?? 4);
  const open = new Set<DuckDbStatement>();
  const ipcStore = new IpcFileStore(instance, () => ipcStoreBudget(options));
  const ctx: PlanContext = { instance, gate, options, trees: new Map(), parked: new ParkedPlans(PARKED_PLANS, PARKED_PLAN_MS), ipcStore };
  let closed = false;

  return {
    async plan(sql: string, resolver: TableResolver): Promise<PlannedStatement> {
      if (closed) throw new QuiverError('UNAVAILABLE', 'the SQL engine is shut down');
      const classified = await classifyOrSyntaxError(instance, sql);
      let statement: DuckDbStatement;
      if (classified.query === null) {
        const con = await instance.connect();
        await useQuiverCatalog(con);
        statement = new DuckDbStatement(classified.statement, null, con, new Schema([]), new Schema([]), [], [], gate, options);
      } else {
        statement = await planQuery(ctx, classified.statement, classified.query, resolver);
      }
      open.add(statement);
      statement.onClose = () => open.delete(statement);
      return statement;
    },
    async close() {
      closed = true;
      ctx.parked.clear();
      for (const s of [...open]) await s.close();
      ctx.parked.clear();
      instance.closeSync();
    },
  };
}

/**
 * Bytes of loaded Arrow IPC files the engine keeps for later queries: the option, else a quarter
 * of the memory limit (DuckDB's default limit is 80% of RAM), so loaded files never take more
 * than a quarter of what queries may use together.
 */
export function ipcStoreBudget(options: SqlEngineOptions): number {
  if (options.ipcCacheBytes !== undefined) return options.ipcCacheBytes;
  return Math.floor((options.memoryLimitBytes ?? os.totalmem() * 0.8) / 4);
}

/** How many plans wait for their next use (DoGet, a repeated query), and for how long at most. */
const PARKED_PLANS = 16;
const PARKED_PLAN_MS = 30_000;
/** Parse trees kept by query text (json_serialize_sql is one more round trip per plan). */
const PARSE_TREES = 256;

interface PlanContext {
  instance: DuckDBInstance;
  gate: QueryGate;
  options: SqlEngineOptions;
  trees: Map<string, QueryTree>;
  parked: ParkedPlans<ParkedStatement>;
  ipcStore: IpcFileStore;
}

/** A planned query's native parts and what was derived from them, as parked between plans. */
interface ParkedStatement {
  ps: DuckDBPreparedStatement;
  con: DuckDBConnection;
  schema: Schema;
  parameterSchema: Schema;
  relations: SnapshotRelation[];
  duckTypes: DuckDBType[];
  typing: ParameterTyping;
  dispose(): void;
}

/** A connection opened on first use, so a plan taken from the parked ones never opens one. */
class LazyConnection {
  private con: DuckDBConnection | null = null;
  constructor(private readonly instance: DuckDBInstance) {}
  async get(): Promise<DuckDBConnection> {
    if (!this.con) {
      const con = await this.instance.connect();
      await useQuiverCatalog(con);
      this.con = con;
    }
    return this.con;
  }
  close(): void {
    this.con?.closeSync();
    this.con = null;
  }
}

async function planQuery(ctx: PlanContext, statement: StatementKind, query: string, resolver: TableResolver): Promise<DuckDbStatement> {
  const lazy = new LazyConnection(ctx.instance);
  try {
    return await planQueryOn(ctx, statement, query, resolver, lazy);
  } catch (err) {
    lazy.close();
    throw fromDuckDbError(err, null, ctx.options);
  }
}

/** The query tree of `query`, parsed once per distinct text (the tree depends on the text alone). */
async function treeOf(ctx: PlanContext, query: string, lazy: LazyConnection): Promise<QueryTree> {
  const known = ctx.trees.get(query);
  if (known) {
    ctx.trees.delete(query);
    ctx.trees.set(query, known);
    return known;
  }
  const tree = await parseQueryTree(await lazy.get(), query);
  ctx.trees.set(query, tree);
  if (ctx.trees.size > PARSE_TREES) ctx.trees.delete(ctx.trees.keys().next().value!);
  return tree;
}

async function planQueryOn(
  ctx: PlanContext, statement: StatementKind, query: string, resolver: TableResolver, lazy: LazyConnection,
): Promise<DuckDbStatement> {
  const { gate, options } = ctx;
  const tree = await treeOf(ctx, query, lazy);
  for (const fn of tree.functions) checkFunction(fn);
  const refs = tree.tables.filter((t) => !(t.catalog === '' && t.schema === '' && tree.cteNames.has(t.table) && !t.hasAtClause));
  // One relation per distinct (table, version) the statement names, in first-mention order.
  const pins: { key: string; pinned: PinnedTable; relation: string }[] = [];
  const relationOf = new Map<BaseTableRef, string>();
  for (const ref of refs) {
    const name = quiverTableOf(ref.catalog, ref.schema, ref.table);
    const key = `${ref.version ?? 'current'}\u0000${name}`;
    let pin = pins.find((p) => p.key === key);
    if (!pin) {
      const pinned = await resolver.resolve(name, ref.version);
      pin = { key, pinned, relation: `__quiver_snapshot_${pins.length + 1}` };
      pins.push(pin);
    }
    relationOf.set(ref, pin.relation);
  }
  const rewritten = rewriteReferences(query, refs, relationOf);
  const tables = pins.map((p) => p.pinned);
  // Everything the plan is built from: the same key means the same views and statement.
  const key = JSON.stringify([rewritten, tables.map((t) => [t.name, t.version, t.files.map((f) => [f.path, f.format])])]);
  const reused = ctx.parked.take(key);
  if (reused) {
    lazy.close(); // opened only to parse
    const s = new DuckDbStatement(statement, reused.ps, reused.con, reused.schema, reused.parameterSchema, tables, reused.relations, gate, options,
      reused.duckTypes, reused.typing);
    s.parkAs(key, ctx.parked);
    return s;
  }
  const con = await lazy.get();
  const relations: SnapshotRelation[] = [];
  let ps: DuckDBPreparedStatement;
  try {
    for (const pin of pins) relations.push(await createSnapshotRelation(con, pin.relation, pin.pinned, ctx.ipcStore));
    ps = await con.prepare(rewritten);
  } catch (err) {
    for (const r of relations) r.release();
    throw fromDuckDbError(err, null, options);
  }
  try {
    return await describePlan(ctx, statement, ps, con, rewritten, tables, relations, resolver, key);
  } catch (err) {
    ps.destroySync();
    for (const r of relations) r.release();
    throw err;
  }
}

/** The plan of a prepared query: its result and parameter schemas, parked under `key` once closed. */
async function describePlan(
  ctx: PlanContext, statement: StatementKind, ps: DuckDBPreparedStatement, con: DuckDBConnection, rewritten: string,
  tables: PinnedTable[], relations: SnapshotRelation[], resolver: TableResolver, key: string,
): Promise<DuckDbStatement> {
  const { gate, options } = ctx;
  if (ps.statementType !== StatementType.SELECT) {
    throw invalidArgument(`DuckDB reads this as a ${StatementType[ps.statementType]} statement; ${SUPPORTED_STATEMENTS}`);
  }
  const { fields, duckTypes } = describeColumns(ps, tables);
  const params: Field[] = [];
  const untypedParams: boolean[] = [];
  const paramNames: string[] = [];
  for (let i = 1; i <= ps.parameterCount; i++) {
    const arrow = parameterArrowType(ps, i);
    params.push(new Field(`$${ps.parameterName(i)}`, arrow, true));
    paramNames.push(ps.parameterName(i));
    untypedParams.push(arrow.typeId === Type.Null);
  }
  await typeInsertParameters(con, statement, rewritten, params, resolver);
  const typing = { sql: rewritten, names: paramNames, untyped: untypedParams };
  const planned = new DuckDbStatement(statement, ps, con, new Schema(fields), new Schema(params), tables, relations, gate, options, duckTypes, typing);
  // A parked plan over Arrow IPC versions holds their loaded files (ipc-store.ts) while parked.
  planned.parkAs(key, ctx.parked);
  return planned;
}

/**
 * The result fields of a prepared statement and their DuckDB types; the types are empty when a
 * column is untyped until parameters are bound (SELECT ? AS x), which the field marks UNKNOWN.
 */
function describeColumns(ps: DuckDBPreparedStatement, tables: PinnedTable[]): { fields: Field[]; duckTypes: DuckDBType[] } {
  const ids = new DictionaryIds();
  const duckTypes: DuckDBType[] = [];
  const fields: Field[] = [];
  let untyped = false;
  for (let i = 0; i < ps.columnCount; i++) {
    const name = ps.columnName(i);
    if (ps.columnTypeId(i) === DuckDBTypeId.INVALID) {
      untyped = true;
      fields.push(new Field(name, new Null(), true, new Map([['ARROW:FLIGHT:SQL:TYPE_NAME', 'UNKNOWN']])));
      continue;
    }
    const type = ps.columnType(i);
    duckTypes.push(type);
    fields.push(new Field(name, arrowTypeOf(type, name, ids), true, flightSqlMetadata(type, originOf(name, tables))));
  }
  if (untyped) duckTypes.length = 0;
  return { fields, duckTypes };
}

/**
 * A parameter's Arrow type as DuckDB inferred it; a parameter DuckDB could not type (`SELECT ?`)
 * is a Null-typed wildcard, which clients fill with any type.
 */
function parameterArrowType(ps: DuckDBPreparedStatement, index: number): DataType {
  let type: DuckDBType;
  try {
    const id = ps.parameterTypeId(index);
    if (id === DuckDBTypeId.ANY || id === DuckDBTypeId.INVALID || id === DuckDBTypeId.SQLNULL) return new Null();
    type = ps.parameterType(index);
  } catch {
    // node-api throws for a parameter type id it has no class for (0, unresolved): untyped.
    return new Null();
  }
  try {
    return arrowTypeOf(type, `parameter ${index}`, new DictionaryIds());
  } catch {
    return new Null();
  }
}

/**
 * A result column's table, where that is known: a column of the only table a statement reads,
 * under the same name. (DuckDB reports no column lineage; computed columns get no origin.)
 */
function originOf(column: string, tables: PinnedTable[]): ColumnOrigin {
  if (tables.length !== 1 || !tables[0]!.schema.fields.some((f) => f.name === column)) return {};
  return { catalog: SQL_CATALOG, schema: SQL_SCHEMA, table: tables[0]!.name };
}

/**
 * Points each table reference at its snapshot relation: the (qualified) name becomes the
 * relation, keeping the table's name as the alias so `t.col` still resolves, and the AT clause,
 * already honoured by the pin, is dropped. DuckDB reports UTF-8 byte offsets.
 */
function rewriteReferences(sql: string, refs: BaseTableRef[], relationOf: Map<BaseTableRef, string>): string {
  const tokens = tokenize(sql);
  const bytes = Buffer.from(sql, 'utf8');
  const edits: { start: number; end: number; text: string }[] = [];
  for (const ref of refs) {
    const charAt = bytes.subarray(0, ref.location).toString('utf8').length;
    let k = tokens.findIndex((t) => t.start === charAt);
    if (k < 0) throw new QuiverError('INTERNAL', `could not find the reference to ${ref.table} at offset ${ref.location}`);
    const first = tokens[k]!;
    while (isPunct(tokens[k + 1], '.') && tokens[k + 2]) k += 2;
    const nameEnd = tokens[k]!.end;
    edits.push({ start: first.start, end: nameEnd, text: relationOf.get(ref)! + (ref.alias === '' ? ` AS ${quoteIdentifier(ref.table)}` : '') });
    if (ref.hasAtClause) {
      let j = k + 1;
      while (j < tokens.length && !(isKeyword(tokens[j], 'AT') && isPunct(tokens[j + 1], '('))) j++;
      let depth = 0;
      let end = j + 1;
      for (; end < tokens.length; end++) {
        if (isPunct(tokens[end], '(')) depth++;
        else if (isPunct(tokens[end], ')') && --depth === 0) break;
      }
      if (j < tokens.length && end < tokens.length) edits.push({ start: tokens[j]!.start, end: tokens[end]!.end, text: '' });
    }
  }
  edits.sort((a, b) => b.start - a.start);
  let out = sql;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A promise that never rejects, so a fetch started ahead cannot become an unhandled rejection. */
function settled<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
}

/** What re-preparing with typed parameters needs: the SQL DuckDB planned and its parameters. */
interface ParameterTyping {
  sql: string;
  names: string[];
  untyped: boolean[];
}

interface TypedVariant {
  ps: DuckDBPreparedStatement;
  schema: Schema;
  duckTypes: DuckDBType[];
}

class DuckDbStatement implements PlannedStatement {
  onClose: () => void = () => undefined;
  private running: Promise<void> = Promise.resolve();
  private closed = false;
  /** Where close() parks this plan for the next identical one: unless an execution failed or stopped part way. */
  private parking: { key: string; parked: ParkedPlans<ParkedStatement> } | null = null;

  constructor(
    readonly statement: StatementKind,
    private readonly ps: DuckDBPreparedStatement | null,
    private readonly con: DuckDBConnection,
    readonly schema: Schema,
    readonly parameterSchema: Schema,
    readonly tables: PinnedTable[],
    private readonly relations: SnapshotRelation[],
    private readonly gate: QueryGate,
    private readonly options: SqlEngineOptions,
    private readonly duckTypes: DuckDBType[] = [],
    private readonly typing: ParameterTyping | null = null,
  ) {}

  /** Lets close() park this plan under `key` (see parked-plans.ts). */
  parkAs(key: string, parked: ParkedPlans<ParkedStatement>): void {
    this.parking = { key, parked };
  }

  /** Statements re-prepared with casts for one parameter batch schema (its SQL text is the key). */
  private readonly typed = new Map<string, TypedVariant>();

  /**
   * The prepared statement and result columns for parameters of `parameters`' Arrow types: the
   * plan itself when every parameter was typed at plan time, else the plan re-prepared with the
   * untyped parameters cast to the batch's types (kept for the statement's life).
   */
  private async variantFor(parameters: Schema): Promise<TypedVariant | null> {
    if (this.ps === null || this.typing === null) return null;
    const sql = castParameters(this.typing.sql, this.typing.names, this.typing.untyped, parameters);
    if (sql === null) return null;
    let variant = this.typed.get(sql);
    if (!variant) {
      let ps: DuckDBPreparedStatement;
      try {
        ps = await this.con.prepare(sql);
      } catch (err) {
        throw fromDuckDbError(err, null, this.options);
      }
      const { fields, duckTypes } = describeColumns(ps, this.tables);
      variant = { ps, schema: new Schema(fields), duckTypes };
      this.typed.set(sql, variant);
    }
    return variant;
  }

  async schemaWith(parameters: Schema): Promise<Schema> {
    if (this.closed) throw invalidArgument('the prepared statement is closed');
    return (await this.variantFor(parameters))?.schema ?? this.schema;
  }

  execute(parameters: RecordBatch | null, options: { signal?: AbortSignal } = {}): AsyncIterable<RecordBatch> {
    return this.run(parameters, options.signal, false) as AsyncGenerator<RecordBatch>;
  }

  executeIpc(parameters: RecordBatch | null, options: { signal?: AbortSignal } = {}): AsyncIterable<IpcFrame> {
    return this.run(parameters, options.signal, true) as AsyncGenerator<IpcFrame>;
  }

  /** The result as record batches, or (`ipc`) as the IPC messages that encode them. */
  private async *run(parameters: RecordBatch | null, signal: AbortSignal | undefined, ipc: boolean): AsyncGenerator<RecordBatch | IpcFrame> {
    if (this.closed) throw invalidArgument('the prepared statement is closed');
    if (this.ps === null) return; // DROP TABLE: the caller drops; nothing to read
    // Parked again only after an execution that ran to its end (below): a failed, cancelled or
    // abandoned one may leave state on the connection, so its plan is disposed on close.
    const parking = this.parking;
    this.parking = null;
    let ps = this.ps;
    if (ps.parameterCount > 0 && parameters === null) {
      throw invalidArgument(`the statement has ${ps.parameterCount} parameter(s) and none were bound`);
    }
    if (ps.parameterCount === 0 && parameters !== null && parameters.numCols > 0) {
      throw invalidArgument(`the statement has no parameters but ${parameters.numCols} parameter column(s) were bound`);
    }
    const release = await this.gate.acquire(signal);
    // One execution at a time per statement: they share its connection.
    const previous = this.running;
    let done!: () => void;
    this.running = new Promise((r) => (done = r));
    await previous;
    let reason: InterruptReason = null;
    let repeat: NodeJS.Timeout | undefined;
    const interrupt = (why: InterruptReason) => {
      if (reason !== null) return;
      reason = why;
      this.con.interrupt();
      // DuckDB clears a connection's interrupt flag when a query starts, so an interrupt that
      // lands while one is being set up is lost: repeat it until this execution ends.
      repeat = setInterval(() => this.con.interrupt(), 50);
    };
    const onAbort = () => interrupt('cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });
    let pending: Promise<Settled<DuckDBDataChunk | null>> | null = null;
    const limitMs = this.options.timeLimitMs;
    const timer = limitMs !== undefined && limitMs > 0 ? setTimeout(() => interrupt('deadline'), limitMs) : undefined;
    try {
      if (signal?.aborted) throw new QuiverError('CANCELLED', 'the query was cancelled');
      // Prepared here, after the previous execution ended: they share the connection.
      const variant = parameters !== null && ps.parameterCount > 0 ? await this.variantFor(parameters.schema) : null;
      ps = variant?.ps ?? ps;
      const schema = variant?.schema ?? this.schema;
      const duckTypes = variant?.duckTypes ?? this.duckTypes;
      let batcher = duckTypes.length === schema.fields.length ? new ChunkBatcher(schema, duckTypes, RESULT_BATCH_BYTES) : null;
      let boundTypes = '';
      const materialize = materializeResult(this.tables, this.options.materializeMaxCells);
      const rows = ps.parameterCount > 0 ? parameters!.numRows : 1;
      for (let row = 0; row < rows; row++) {
        ps.clearBindings();
        if (ps.parameterCount > 0) bindParameterRow(ps, parameters!, row);
        const result = materialize ? await ps.run() : await ps.stream();
        if (duckTypes.length !== schema.fields.length) {
          // Columns the plan could not type take the types the bound parameters gave them; the
          // batches then carry that schema (the same for every parameter row, or we refuse).
          const types = result.columnTypes();
          const key = types.map(String).join(',');
          if (batcher === null) {
            const ids = new DictionaryIds();
            const schema = new Schema(types.map((t, i) => new Field(result.columnName(i), arrowTypeOf(t, result.columnName(i), ids), true,
              flightSqlMetadata(t, originOf(result.columnName(i), this.tables)))));
            batcher = new ChunkBatcher(schema, types, RESULT_BATCH_BYTES);
            boundTypes = key;
          } else if (key !== boundTypes) {
            throw invalidArgument(`parameter row ${row} gives the result types ${key}, unlike row 0 (${boundTypes}); bind parameters of one type per column`);
          }
        }
        if (result instanceof DuckDBMaterializedResult) {
          // Its chunks are already in memory: read without a round trip through the thread pool each.
          for (let i = 0; i < result.chunkCount; i++) {
            if (reason !== null) throw new Error('INTERRUPT Error: interrupted');
            const chunk = result.getChunk(i);
            if (chunk.rowCount === 0) continue;
            yield* this.convert(batcher!, chunk, ipc);
          }
          continue;
        }
        // One fetch is always in flight: DuckDB produces the next chunk on its threads while this
        // thread converts the previous one and the caller sends its batches (a chunk is its own
        // native object, untouched by later fetches). The loop never leaves a fetch behind: see
        // the finally below.
        pending = settled(result.fetchChunk());
        for (;;) {
          const next = await pending;
          pending = null;
          if (reason !== null) throw new Error('INTERRUPT Error: interrupted');
          if (!next.ok) throw next.error;
          const chunk = next.value;
          if (chunk === null || chunk.rowCount === 0) break;
          pending = settled(result.fetchChunk());
          yield* this.convert(batcher!, chunk, ipc);
        }
      }
      if (!ipc || !batcher) {
        const last = batcher?.flush();
        if (last) yield last;
      } else if (ChunkBatcher.canWriteIpc(batcher.schema)) {
        const last = batcher.flushIpc();
        if (last) yield last;
      } else {
        const last = batcher.flush();
        if (last) yield* encodeBatch(last);
      }
      this.parking = parking;
    } catch (err) {
      throw fromDuckDbError(err, reason, this.options);
    } finally {
      // An abandoned or failed stream may leave a fetch running on the connection: let it end
      // before the connection is released (interrupting makes that quick).
      if (pending !== null) {
        this.con.interrupt();
        await pending;
      }
      clearTimeout(timer);
      clearInterval(repeat);
      signal?.removeEventListener('abort', onAbort);
      done();
      release();
    }
  }

  /** One DuckDB chunk's rows, as record batches or (`ipc`) IPC messages, whenever a batch fills. */
  private *convert(batcher: ChunkBatcher, chunk: DuckDBDataChunk, ipc: boolean): Generator<RecordBatch | IpcFrame> {
    if (!ipc) yield* batcher.push(chunk);
    else if (ChunkBatcher.canWriteIpc(batcher.schema)) yield* batcher.pushIpc(chunk);
    else for (const batch of batcher.push(chunk)) yield* encodeBatch(batch);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    const parking = this.parking;
    if (parking !== null && this.ps !== null && this.typed.size === 0) {
      const { ps, con, relations } = this;
      parking.parked.park(parking.key, {
        ps, con, schema: this.schema, parameterSchema: this.parameterSchema, relations, duckTypes: this.duckTypes,
        typing: this.typing!,
        dispose() {
          ps.destroySync();
          con.closeSync();
          for (const r of relations) r.release();
        },
      });
      return;
    }
    this.con.interrupt();
    // A consumer that abandons a result stream without ending it would keep `running` pending
    // forever: wait for it only briefly, then release the native handles regardless.
    await Promise.race([this.running, new Promise((r) => setTimeout(r, 1000).unref())]);
    this.ps?.destroySync();
    for (const v of this.typed.values()) v.ps.destroySync();
    this.con.closeSync();
    for (const r of this.relations) r.release();
  }
}
