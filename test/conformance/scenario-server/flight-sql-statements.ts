// The statement side of the flight_sql* scenarios: queries and updates as SQL text or (extension)
// Substrait plans, prepared statements with bound parameters, and (extension) one transaction
// with savepoints and the CancelQuery / CancelFlightInfo actions. Every request must carry the
// scenario's literal values (flight-sql-fixtures.ts); results are the fixed schemas and counts the
// clients assert. A scenario that leaves Substrait or transactions out refuses them.
import type { Schema } from 'apache-arrow';
import { invalidArgument, QuiverError } from '../../../src/errors.ts';
import { decodeMessage, encodeMessage, type FlightInfo } from '../../../src/wire/protocol.ts';
import { expectField } from './flight-sql-expect.ts';
import {
  HANDLES, QUERY_IN_TRANSACTION_SCHEMA, QUERY_SCHEMA, SAVEPOINT_ID, SAVEPOINT_NAME, SELECT_PREPARED, SELECT_STATEMENT, SUBSTRAIT_PLAN,
  TRANSACTION_ID, UPDATED_ROWS, UPDATE_PREPARED, UPDATE_STATEMENT, preparedHandle,
} from './flight-sql-fixtures.ts';
import { pack, unpackAs, type SqlRequest } from './flight-sql-messages.ts';

export interface StatementFeatures {
  /** CommandStatementSubstraitPlan, CreatePreparedSubstraitPlan, CancelQuery (flight_sql:extension). */
  substrait: boolean;
  /** BeginTransaction, EndTransaction, savepoints and transaction_id on statements (flight_sql:extension). */
  transactions: boolean;
}

/** A statement's result: its schema, and the ticket DoGet reads it with. */
export interface Planned { schema: Schema; ticket: Buffer }

const resultSchema = (inTransaction: boolean) => (inTransaction ? QUERY_IN_TRANSACTION_SCHEMA : QUERY_SCHEMA);

export class FixtureStatements {
  constructor(private readonly features: StatementFeatures) {}

  /**
   * GetFlightInfo / GetSchema of a statement command; null when `req` is not a query.
   * `descriptorCmd` is the command's own bytes: a prepared statement's ticket, as in the reference servers.
   */
  plan(req: SqlRequest, descriptorCmd: Uint8Array): Planned | null {
    switch (req.name) {
      case 'CommandStatementQuery': {
        expectField('CommandStatementQuery.query', SELECT_STATEMENT, req.value.query);
        const inTransaction = this.transaction(req.value.transaction_id);
        return this.statementTicket(inTransaction ? HANDLES.selectInTransaction : HANDLES.select, inTransaction);
      }
      case 'CommandStatementSubstraitPlan': {
        this.expectPlan('CommandStatementSubstraitPlan', req.value.plan);
        const inTransaction = this.transaction(req.value.transaction_id);
        return this.statementTicket(inTransaction ? HANDLES.planInTransaction : HANDLES.plan, inTransaction);
      }
      case 'CommandPreparedStatementQuery':
        return { schema: resultSchema(this.preparedQuery(req.value.prepared_statement_handle)), ticket: Buffer.from(descriptorCmd) };
      default:
        return null;
    }
  }

  /** DoGet of a statement's ticket: the schema of its result (the fixtures have no rows); null when not a statement ticket. */
  read(req: SqlRequest): Schema | null {
    switch (req.name) {
      case 'TicketStatementQuery': {
        const handle = Buffer.from(req.value.statement_handle).toString('utf8');
        if (handle === HANDLES.select || (this.features.substrait && handle === HANDLES.plan)) return QUERY_SCHEMA;
        if (this.features.transactions && (handle === HANDLES.selectInTransaction || (this.features.substrait && handle === HANDLES.planInTransaction))) return QUERY_IN_TRANSACTION_SCHEMA;
        throw invalidArgument(`unknown statement handle ${JSON.stringify(handle)}: use a ticket GetFlightInfo returned`);
      }
      case 'CommandPreparedStatementQuery':
        return resultSchema(this.preparedQuery(req.value.prepared_statement_handle));
      default:
        return null;
    }
  }

  /** DoPut of an update command: its record_count; null when `req` is not an update. */
  update(req: SqlRequest): number | null {
    switch (req.name) {
      case 'CommandStatementUpdate':
        expectField('CommandStatementUpdate.query', UPDATE_STATEMENT, req.value.query);
        return this.transaction(req.value.transaction_id) ? UPDATED_ROWS.statementInTransaction : UPDATED_ROWS.statement;
      case 'CommandStatementSubstraitPlan':
        this.expectPlan('CommandStatementSubstraitPlan', req.value.plan);
        return this.transaction(req.value.transaction_id) ? UPDATED_ROWS.statementInTransaction : UPDATED_ROWS.statement;
      case 'CommandPreparedStatementUpdate': {
        const handle = this.preparedHandle(req.value.prepared_statement_handle);
        if (handle.query === SELECT_PREPARED) throw invalidArgument(`prepared statement ${JSON.stringify(handle.text)} is a query: execute it with GetFlightInfo`);
        return handle.inTransaction ? UPDATED_ROWS.preparedInTransaction : UPDATED_ROWS.prepared;
      }
      default:
        return null;
    }
  }

  /** DoPut of parameters for a prepared query: the handle to use from now on (the same one). */
  bind(handle: Buffer): Buffer {
    this.preparedQuery(handle);
    return handle;
  }

  /** The actions of this scenario, by Action.type: each returns the Result bodies, or null when not a statement action. */
  action(type: string, body: Uint8Array): Buffer[] | null {
    const where = `the body of action ${type}`;
    switch (type) {
      case 'CreatePreparedStatement': {
        const req = unpackAs('ActionCreatePreparedStatementRequest', body, where);
        if (req.query !== SELECT_PREPARED && req.query !== UPDATE_PREPARED) {
          throw invalidArgument(`ActionCreatePreparedStatementRequest.query: expected ${JSON.stringify(SELECT_PREPARED)} or ${JSON.stringify(UPDATE_PREPARED)}, got ${JSON.stringify(req.query)}`);
        }
        const handle = preparedHandle(req.query, this.transaction(req.transaction_id));
        return [pack('ActionCreatePreparedStatementResult', { prepared_statement_handle: Buffer.from(handle) })];
      }
      case 'CreatePreparedSubstraitPlan': {
        this.require('substrait', type);
        const req = unpackAs('ActionCreatePreparedSubstraitPlanRequest', body, where);
        this.expectPlan('ActionCreatePreparedSubstraitPlanRequest', req.plan);
        const handle = this.transaction(req.transaction_id) ? HANDLES.planInTransaction : HANDLES.plan;
        return [pack('ActionCreatePreparedStatementResult', { prepared_statement_handle: Buffer.from(handle) })];
      }
      case 'ClosePreparedStatement':
        this.preparedHandle(unpackAs('ActionClosePreparedStatementRequest', body, where).prepared_statement_handle);
        return [];
      case 'BeginTransaction':
        this.require('transactions', type);
        unpackAs('ActionBeginTransactionRequest', body, where);
        return [pack('ActionBeginTransactionResult', { transaction_id: TRANSACTION_ID })];
      case 'EndTransaction': {
        this.require('transactions', type);
        const req = unpackAs('ActionEndTransactionRequest', body, where);
        expectField('ActionEndTransactionRequest.transaction_id', TRANSACTION_ID, req.transaction_id);
        if (req.action !== 'END_TRANSACTION_COMMIT' && req.action !== 'END_TRANSACTION_ROLLBACK') throw invalidArgument(`ActionEndTransactionRequest.action: expected COMMIT or ROLLBACK, got ${req.action}`);
        return [];
      }
      case 'BeginSavepoint': {
        this.require('transactions', type);
        const req = unpackAs('ActionBeginSavepointRequest', body, where);
        expectField('ActionBeginSavepointRequest.name', SAVEPOINT_NAME, req.name);
        expectField('ActionBeginSavepointRequest.transaction_id', TRANSACTION_ID, req.transaction_id);
        return [pack('ActionBeginSavepointResult', { savepoint_id: SAVEPOINT_ID })];
      }
      case 'EndSavepoint': {
        this.require('transactions', type);
        const req = unpackAs('ActionEndSavepointRequest', body, where);
        expectField('ActionEndSavepointRequest.savepoint_id', SAVEPOINT_ID, req.savepoint_id);
        if (req.action !== 'END_SAVEPOINT_RELEASE' && req.action !== 'END_SAVEPOINT_ROLLBACK') throw invalidArgument(`ActionEndSavepointRequest.action: expected RELEASE or ROLLBACK, got ${req.action}`);
        return [];
      }
      // The deprecated Flight SQL action (arrow-go's CancelQuery): a serialized FlightInfo inside an Any.
      case 'CancelQuery': {
        this.require('substrait', type);
        this.expectCancellable(decodeMessage<FlightInfo>('FlightInfo', unpackAs('ActionCancelQueryRequest', body, where).info));
        return [pack('ActionCancelQueryResult', { result: 'CANCEL_RESULT_CANCELLED' })];
      }
      // Its successor, the standard Flight action, which newer clients send for the same call.
      case 'CancelFlightInfo': {
        this.require('substrait', type);
        const { info } = decodeMessage<{ info: FlightInfo | null }>('CancelFlightInfoRequest', body);
        this.expectCancellable(info);
        return [encodeMessage('CancelFlightInfoResult', { status: 'CANCEL_STATUS_CANCELLED' })];
      }
      default:
        return null;
    }
  }

  /** The scenario cancels the FlightInfo of the Substrait plan it just executed: one endpoint, the plan's ticket. */
  private expectCancellable(info: FlightInfo | null): void {
    const endpoints = info?.endpoint ?? [];
    expectField('endpoints of the FlightInfo to cancel', 1, endpoints.length);
    const ticket = unpackAs('TicketStatementQuery', endpoints[0]!.ticket?.ticket as Uint8Array ?? new Uint8Array(0), 'the ticket of the FlightInfo to cancel');
    expectField('statement handle of the FlightInfo to cancel', HANDLES.plan, ticket.statement_handle);
  }

  private statementTicket(handle: string, inTransaction: boolean): Planned {
    return { schema: resultSchema(inTransaction), ticket: pack('TicketStatementQuery', { statement_handle: Buffer.from(handle) }) };
  }

  /** Whether a statement runs in the scenario's transaction: no transaction_id, or exactly its id. */
  private transaction(id: Buffer | undefined): boolean {
    if (id === undefined || id.byteLength === 0) return false;
    this.require('transactions', 'a transaction_id');
    expectField('transaction_id', TRANSACTION_ID, id);
    return true;
  }

  private expectPlan(what: string, plan: { plan: Buffer; version: string } | null): void {
    this.require('substrait', what);
    expectField(`${what}.plan.plan`, SUBSTRAIT_PLAN.plan, plan?.plan);
    expectField(`${what}.plan.version`, SUBSTRAIT_PLAN.version, plan?.version);
  }

  /** A handle CreatePreparedStatement / CreatePreparedSubstraitPlan gave out. */
  private preparedHandle(bytes: Uint8Array): { text: string; query: string; inTransaction: boolean } {
    const text = Buffer.from(bytes).toString('utf8');
    const known: { text: string; query: string; inTransaction: boolean }[] = [];
    for (const inTransaction of this.features.transactions ? [false, true] : [false]) {
      for (const query of [SELECT_PREPARED, UPDATE_PREPARED]) known.push({ text: preparedHandle(query, inTransaction), query, inTransaction });
      // A prepared Substrait plan serves both as a query and as an update.
      if (this.features.substrait) known.push({ text: inTransaction ? HANDLES.planInTransaction : HANDLES.plan, query: 'plan', inTransaction });
    }
    const found = known.find((k) => k.text === text);
    if (!found) throw invalidArgument(`unknown prepared statement handle ${JSON.stringify(text)}: use one CreatePreparedStatement returned`);
    return found;
  }

  /** A prepared statement that is a query; whether it runs in the transaction. */
  private preparedQuery(bytes: Uint8Array): boolean {
    const handle = this.preparedHandle(bytes);
    if (handle.query === UPDATE_PREPARED) throw invalidArgument(`prepared statement ${JSON.stringify(handle.text)} is an update: execute it with DoPut`);
    return handle.inTransaction;
  }

  private require(feature: keyof StatementFeatures, what: string): void {
    if (!this.features[feature]) {
      throw new QuiverError('UNIMPLEMENTED', `${what} is not part of this scenario (${feature === 'substrait' ? 'Substrait plans' : 'transactions'} are in flight_sql:extension)`);
    }
  }
}
