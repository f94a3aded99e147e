// The DoAction side of Flight SQL: prepared statements (created and closed; their handles are
// stateless, so closing frees nothing), cancellation of running queries, and the transaction
// actions, which quiver refuses because every statement commits on its own. Flight SQL action
// bodies and results are Any-packed; CancelFlightInfo is the standard Flight action, plain.
import { QuiverError, invalidArgument } from '../errors.ts';
import type { CallInfo } from '../flight/handler-kit.ts';
import { decodeMessage, encodeMessage, type ActionIn, type ActionType, type FlightInfo } from '../wire/protocol.ts';
import { framePrefix } from '../arrow/ipc-framing.ts';
import type { SqlServiceParts } from './sql-service-parts.ts';
import { decodeSql, packSql, unpackSql, type SqlMessageName } from './sql-messages.ts';
import { encodeHandle } from './statement-handles.ts';

const NO_TRANSACTIONS = 'quiver has no transactions: every statement commits on its own, and SqlInfo FLIGHT_SQL_SERVER_TRANSACTION says none';

const REFUSED: Record<string, string> = {
  BeginTransaction: NO_TRANSACTIONS,
  EndTransaction: NO_TRANSACTIONS,
  BeginSavepoint: NO_TRANSACTIONS,
  EndSavepoint: NO_TRANSACTIONS,
  CreatePreparedSubstraitPlan: 'quiver does not run Substrait plans (SqlInfo FLIGHT_SQL_SERVER_SUBSTRAIT is false); prepare SQL text',
};

const DESCRIPTIONS: Record<string, string> = {
  CreatePreparedStatement: 'Flight SQL: plan a statement without running it. Body: Any(ActionCreatePreparedStatementRequest). Result: Any(ActionCreatePreparedStatementResult) with the result and parameter schemas.',
  ClosePreparedStatement: 'Flight SQL: close a prepared statement (handles are stateless: nothing is held). Body: Any(ActionClosePreparedStatementRequest).',
  CancelQuery: 'Flight SQL (deprecated; CancelFlightInfo supersedes it): interrupt the running DoGets of a query\'s FlightInfo. Body: Any(ActionCancelQueryRequest). Result: Any(ActionCancelQueryResult).',
};

export class SqlActions {
  constructor(private readonly svc: SqlServiceParts) {}

  handles(action: ActionIn): boolean {
    if (action.type in DESCRIPTIONS || action.type in REFUSED) return true;
    if (action.type !== 'CancelFlightInfo') return false;
    try {
      return ticketsOf(decodeMessage<{ info: FlightInfo | null }>('CancelFlightInfoRequest', action.body).info).some((t) => unpackSql(t) !== null);
    } catch {
      return false; // the Flight handler reports a malformed request
    }
  }

  types(): ActionType[] {
    return Object.entries(DESCRIPTIONS).map(([type, description]) => ({ type, description }));
  }

  async *run(action: ActionIn, info: CallInfo): AsyncGenerator<Uint8Array> {
    const refused = REFUSED[action.type];
    if (refused) throw new QuiverError('UNIMPLEMENTED', `${action.type}: ${refused}`);
    switch (action.type) {
      case 'CreatePreparedStatement': {
        const req = body<{ query: string; transaction_id?: Buffer }>(action, 'ActionCreatePreparedStatementRequest');
        if (req.transaction_id !== undefined && req.transaction_id !== null) throw invalidArgument(`${NO_TRANSACTIONS}; prepare the statement without a transaction_id`);
        const { schemaHeader, isUpdate, parameterHeader } = await this.svc.statements.schemaOf(req.query, { asOf: this.svc.asOf(info) });
        // An update answers an empty dataset schema as well as is_update: older JDBC drivers
        // tell queries from updates by the schema alone.
        yield packSql('ActionCreatePreparedStatementResult', {
          prepared_statement_handle: encodeHandle({ sql: req.query }),
          dataset_schema: isUpdate ? Buffer.alloc(0) : Buffer.from(framePrefix(schemaHeader)),
          parameter_schema: Buffer.from(framePrefix(parameterHeader)),
          is_update: isUpdate,
        });
        return;
      }
      case 'ClosePreparedStatement':
        body(action, 'ActionClosePreparedStatementRequest');
        return;
      case 'CancelQuery': {
        const req = body<{ info: Buffer }>(action, 'ActionCancelQueryRequest');
        const flightInfo = decodeMessage<FlightInfo>('FlightInfo', req.info);
        this.cancel(flightInfo, info);
        yield packSql('ActionCancelQueryResult', { result: 'CANCEL_RESULT_CANCELLED' });
        return;
      }
      case 'CancelFlightInfo': {
        const req = decodeMessage<{ info: FlightInfo | null }>('CancelFlightInfoRequest', action.body);
        this.cancel(req.info, info);
        yield encodeMessage('CancelFlightInfoResult', { status: 'CANCEL_STATUS_CANCELLED' });
        return;
      }
      default:
        throw invalidArgument(`unknown Flight SQL action ${JSON.stringify(action.type)}`);
    }
  }

  private cancel(flightInfo: FlightInfo | null | undefined, info: CallInfo): void {
    const tickets = ticketsOf(flightInfo);
    if (tickets.length === 0) throw invalidArgument('the FlightInfo to cancel has no endpoints');
    let interrupted = 0;
    for (const t of tickets) if (this.svc.running.cancel(t)) interrupted++;
    this.svc.ctx.log.info('sql query cancelled', { endpoints: tickets.length, interrupted, user: info.identity.user });
  }
}

function ticketsOf(info: FlightInfo | null | undefined): Uint8Array[] {
  return (info?.endpoint ?? []).map((e) => e.ticket?.ticket as Uint8Array | undefined).filter((t): t is Uint8Array => t !== undefined && t.byteLength > 0);
}

/** An action body: the Any-packed request `type` (a bare serialized request is taken too). */
function body<T>(action: ActionIn, type: SqlMessageName): T {
  const any = unpackSql(action.body);
  if (any && any.type !== type) throw invalidArgument(`${action.type} takes an Any-packed ${type}, got ${any.type}`);
  return decodeSql<T>(type, any ? any.value : action.body);
}
