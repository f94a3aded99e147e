// DoAction and ListActions. quiver's own actions take and return JSON (their shapes and decoders
// are src/wire/admin-actions.ts, shared with the admin client); the standard Flight
// actions (CancelFlightInfo, RenewFlightEndpoint) take and return serialized protobuf.
import type * as grpc from '@grpc/grpc-js';
import { QuiverError, invalidArgument } from '../../errors.ts';
import {
  decodeClusterConfigRequest,
  decodeDropRequest,
  decodeHistoryRequest,
  decodeImportRequest,
  encodeActionBody,
  type CacheClearResponse,
  type ClusterConfigResponse,
  type ClusterStatusResponse,
  type DropResponse,
  type HistoryEntry,
  type ImportResponse,
} from '../../wire/admin-actions.ts';
import type { ClusterReport, FlightContext } from '../context.ts';
import { serverStream, type CallInfo } from '../handler-kit.ts';
import { decodeMessage, encodeMessage, type ActionIn, type ActionType, type FlightEndpoint, type FlightInfo, type Result } from '../../wire/protocol.ts';
import { toTimestamp } from '../read-plan.ts';
import { decodeTicket } from '../tickets.ts';
import { importAdvice } from '../client-advice.ts';
import { MAINTENANCE_DESCRIPTION, runMaintenanceAction } from './maintenance-action.ts';
import { importParquet } from '../../storage/parquet-import.ts';
import { validateTableName } from '../../table-names.ts';
import { refuseWhileReadOnly } from '../write-gate.ts';
import { requireRole, type Role } from '../roles.ts';
import { AS_OF, ENDPOINT_BYTES } from '../read-session.ts';
import { SESSION_COOKIE, type SessionOptionsStore } from '../session-options.ts';
import type { FlightSqlService } from '../../sql/flight-sql-service.ts';
import { landedOf } from '../../storage/landing-limits.ts';
import type { Manifest } from '../../storage/manifest.ts';

interface ActionSpec {
  description: string;
  /** The role a caller needs (roles.ts); checked in doAction before the action runs. */
  role: Role;
  run(ctx: FlightContext, body: Uint8Array, info: CallInfo): AsyncIterable<Uint8Array>;
}

const json = encodeActionBody;

function sessionsOf(ctx: FlightContext): SessionOptionsStore {
  if (!ctx.sessions) throw new QuiverError('UNIMPLEMENTED', 'this server keeps no client sessions');
  return ctx.sessions;
}

function clusterStatusResponse(report: ClusterReport): ClusterStatusResponse {
  const { isLeader, sessionId, ...rest } = report;
  return { ...rest, is_leader: isLeader, ...(sessionId !== undefined ? { session_id: sessionId } : {}) };
}

const ACTIONS: Record<string, ActionSpec> = {
  drop: {
    role: 'admin',
    description: 'Drop a table and all its versions. Body: JSON {"table": "name"}. Result: JSON {"dropped": "name"}.',
    async *run(ctx, body, info) {
      const { table } = decodeDropRequest(body);
      refuseWhileReadOnly(ctx, 'drop');
      await ctx.store.drop(table);
      ctx.log.info('dropped', { table, user: info.identity.user });
      yield json({ dropped: table } satisfies DropResponse);
    },
  },
  history: {
    role: 'read',
    description: 'List the retained versions of a table, oldest first. Body: JSON {"table": "name"}. One JSON result per version: version, operation, committed_at, rows, added_rows, files, bytes.',
    async *run(ctx, body) {
      for (const m of await ctx.store.history(decodeHistoryRequest(body).table)) {
        yield json({
          version: m.version,
          operation: m.operation,
          committed_at: m.committedAt,
          rows: m.rows,
          added_rows: m.added.rows,
          files: m.files.length,
          bytes: m.arrowBytes,
          formats: [...new Set(m.files.map((f) => f.format))],
          ...landedFields(m),
        } satisfies HistoryEntry);
      }
    },
  },
  import: {
    role: 'admin',
    description: 'Add Parquet files from the server\'s import directory to a table as one commit, checked from their footers and decoded once unless "verify" is false. Body: JSON {"table": "name", "files": ["a.parquet", ...], "mode": "append" | "create" | "overwrite", "verify": true}. Result: JSON {"table", "version", "rows", "added_rows", "files"}.',
    async *run(ctx, body, info) {
      const decoded = decodeImportRequest(body);
      const req = { ...decoded, table: validateTableName(decoded.table) };
      refuseWhileReadOnly(ctx, 'import');
      // Checked again before each step: read-only set meanwhile stops the import.
      const m = await importParquet(ctx.store, ctx.importDir, req, { checkWritable: () => refuseWhileReadOnly(ctx, 'import') }).catch((e: unknown) => {
        throw importAdvice(e);
      });
      ctx.log.info('imported', { table: m.table, version: m.version, files: req.files.length, user: info.identity.user });
      yield json({ table: m.table, version: m.version, rows: m.rows, added_rows: m.added.rows, files: m.added.files } satisfies ImportResponse);
    },
  },
  'cluster-status': {
    role: 'read',
    description: 'This server\'s view of its cluster: mode (local or cluster), its own location, whether it leads, its ZooKeeper session state, the leader and the live members. Body: empty. Result: one JSON object.',
    async *run(ctx) {
      yield json(clusterStatusResponse(await ctx.clusterStatus()));
    },
  },
  'cluster-config': {
    role: 'admin',
    description: 'The cluster\'s shared settings (the config node in ZooKeeper), which every replica applies live and which win over its own flags. Body: empty to show them, or JSON {"set": {"readOnly": true, "compression": "snappy", ...}, "unset": ["retentionMs"]} to change them (by compare-and-set; any replica may). Keys: readOnly, compression, rowGroupRows, maxBufferedBytes, retentionMs, endpointBytes, maxMessageBytes, sqlTimeLimitMs, sqlMaxQueries, with values as their flags take them. Result: JSON {"version", "cluster", "effective", "rejected"?}. A server without --zk refuses changes.',
    async *run(ctx, body, info) {
      const change = decodeClusterConfigRequest(body);
      if (change === null) {
        yield json((await ctx.clusterConfig.show()) satisfies ClusterConfigResponse);
        return;
      }
      const { set, unset } = change;
      const report: ClusterConfigResponse = await ctx.clusterConfig.update(set, unset);
      ctx.log.info('cluster config changed', { set, unset, version: report.version, user: info.identity.user });
      yield json(report);
    },
  },
  'cache-clear': {
    role: 'admin',
    description: 'Empty the cache of decoded data files, so the next reads decode from disk (memory pressure, cold-read measurements). Body: empty. Result: JSON {"freed_bytes": N}.',
    async *run(ctx, _body, info) {
      const freed = ctx.store.clearCache();
      ctx.log.info('cache cleared', { freed, user: info.identity.user });
      yield json({ freed_bytes: freed } satisfies CacheClearResponse);
    },
  },
  maintenance: {
    role: 'admin',
    description: MAINTENANCE_DESCRIPTION,
    run: runMaintenanceAction,
  },
  SetSessionOptions: {
    role: 'read',
    description: `Set options of this client's session (named by the ${SESSION_COOKIE} cookie it is given): ${AS_OF} (string, an RFC 3339 instant: reads that name no version see each table as it was then) and ${ENDPOINT_BYTES} (int64: Arrow bytes per GetFlightInfo endpoint). A value-less option removes it. Body: SetSessionOptionsRequest. Result: SetSessionOptionsResult with an error per refused option.`,
    async *run(ctx, body, info) {
      yield sessionsOf(ctx).set(body, info);
    },
  },
  GetSessionOptions: {
    role: 'read',
    description: 'The options of this client\'s session. Body: GetSessionOptionsRequest. Result: GetSessionOptionsResult.',
    async *run(ctx, body, info) {
      yield sessionsOf(ctx).get(body, info);
    },
  },
  CloseSession: {
    role: 'read',
    description: 'End this client\'s session: its options are forgotten and the cookie is cleared. Body: CloseSessionRequest. Result: CloseSessionResult.',
    async *run(ctx, body, info) {
      yield sessionsOf(ctx).close(body, info);
    },
  },
  CancelFlightInfo: {
    role: 'read',
    description: 'Give up the endpoints of a FlightInfo: their leases end and their tickets are refused. Body: CancelFlightInfoRequest. Result: CancelFlightInfoResult.',
    async *run(ctx, body) {
      const req = decodeMessage<{ info: FlightInfo | null }>('CancelFlightInfoRequest', body);
      const endpoints = req.info?.endpoint ?? [];
      if (endpoints.length === 0) throw invalidArgument('CancelFlightInfoRequest has no FlightInfo endpoints to cancel');
      for (const e of endpoints) {
        const ticket = Buffer.from(e.ticket?.ticket as Uint8Array ?? []);
        decodeTicket(ticket);
        ctx.leases.cancel(ticket.toString('base64'), Date.now() + ctx.retentionMs);
      }
      yield encodeMessage('CancelFlightInfoResult', { status: 'CANCEL_STATUS_CANCELLED' });
    },
  },
  RenewFlightEndpoint: {
    role: 'read',
    description: 'Extend how long an endpoint\'s ticket stays readable, to one retention period from now. Body: RenewFlightEndpointRequest. Result: the FlightEndpoint with its new expiration_time.',
    async *run(ctx, body) {
      const req = decodeMessage<{ endpoint: FlightEndpoint | null }>('RenewFlightEndpointRequest', body);
      const endpoint = req.endpoint;
      if (!endpoint?.ticket?.ticket) throw invalidArgument('RenewFlightEndpointRequest has no endpoint ticket');
      const bytes = Buffer.from(endpoint.ticket.ticket as Uint8Array);
      const ticket = decodeTicket(bytes);
      const manifest = await ctx.store.snapshot(ticket.table, ticket.version);
      if (manifest.tableId !== ticket.tableId) throw new QuiverError('NOT_FOUND', `table ${JSON.stringify(ticket.table)} was dropped since this endpoint was issued`);
      const key = bytes.toString('base64');
      const superseded = await ctx.store.supersededAt(ticket.table, ticket.version);
      const current = ctx.leases.expiration(key, superseded, ctx.retentionMs);
      if (superseded !== null && current < Date.now()) throw new QuiverError('NOT_FOUND', `version ${ticket.version} of ${JSON.stringify(ticket.table)} has already expired`);
      // One retention period from now, whatever expiration_time the request carries: the client
      // writes that field, and taking it would let any reader pin a version for ever.
      const until = ctx.leases.renew(key, Date.now() + ctx.retentionMs);
      yield encodeMessage('FlightEndpoint', { ...endpoint, expiration_time: toTimestamp(until) });
    },
  },
};

export function doAction(ctx: FlightContext, sql?: FlightSqlService): grpc.handleServerStreamingCall<ActionIn, Result> {
  return serverStream(ctx, 'DoAction', async function* (action: ActionIn, info: CallInfo) {
    if (sql?.handlesAction(action)) { // Flight SQL's actions, and CancelFlightInfo of its queries (src/sql)
      for await (const body of sql.doAction(action, info)) yield { body };
      return;
    }
    const spec = ACTIONS[action.type];
    if (!spec) throw invalidArgument(`unknown action ${JSON.stringify(action.type)}; ListActions lists the actions this server has: ${Object.keys(ACTIONS).join(', ')}`);
    requireRole(info.identity, spec.role, `the ${action.type} action`);
    for await (const body of spec.run(ctx, action.body, info)) yield { body };
  });
}

export function listActions(ctx: FlightContext, sql?: FlightSqlService): grpc.handleServerStreamingCall<unknown, ActionType> {
  return serverStream(ctx, 'ListActions', async function* () {
    for (const [type, spec] of Object.entries(ACTIONS)) yield { type, description: spec.description };
    for (const type of sql?.actionTypes() ?? []) yield type;
  });
}

/** How much of a version is Arrow IPC still to be converted to Parquet (omitted when none). */
function landedFields(m: Manifest): { landed_files?: number; landed_bytes?: number } {
  const landed = landedOf(m);
  return landed.files > 0 ? { landed_files: landed.files, landed_bytes: landed.fileBytes } : {};
}
