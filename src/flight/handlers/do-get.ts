// DoGet: the pinned version's schema, then each data file's dictionaries and record batches,
// exactly as they were put.
import * as grpc from '@grpc/grpc-js';
import { QuiverError } from '../../errors.ts';
import type { FlightContext } from '../context.ts';
import { encodeFlightData, prebuiltFlightData, type FlightDataMessage } from '../../wire/flight-data.ts';
import { prebuiltServerStream, serverStream, type CallInfo } from '../handler-kit.ts';
import type { TicketIn } from '../../wire/protocol.ts';
import { expiredError, projectedSchema } from '../read-plan.ts';
import { decodeTicket } from '../tickets.ts';
import type { FlightSqlService } from '../../sql/flight-sql-service.ts';
import type { FollowService } from '../../feed/follow-service.ts';

export function doGet(ctx: FlightContext, sql?: FlightSqlService, feed?: FollowService): grpc.handleServerStreamingCall<TicketIn, FlightDataMessage> {
  // A follow ticket (src/feed) does not end, and counts what grpc-js has flushed
  // (CallInfo.onFlushed): grpc-js' per-message path. Every other DoGet writes its encoded
  // messages straight to the HTTP/2 stream, without grpc-js' copy of each.
  const follow = feed && serverStream(ctx, 'DoGet', (req: TicketIn, info: CallInfo) => feed.doGet(req.ticket, info));
  const read = prebuiltServerStream(ctx, 'DoGet', (req: TicketIn, info: CallInfo) => {
    const command = sql?.ticket(req.ticket); // a Flight SQL ticket (src/sql)
    return command ? sql!.doGet(command, req.ticket, info) : readTicket(ctx, req.ticket, info);
  }, encodeFlightData);
  return (call) => (follow && feed.isTicket(call.request.ticket) ? follow(call) : read(call));
}

export async function* readTicket(ctx: FlightContext, ticketBytes: Uint8Array, info: CallInfo): AsyncGenerator<FlightDataMessage> {
  const ticket = decodeTicket(ticketBytes);
  const key = Buffer.from(ticketBytes).toString('base64');
  if (ctx.leases.isCancelled(key)) throw new QuiverError('CANCELLED', 'this ticket\'s FlightInfo was cancelled with CancelFlightInfo; call GetFlightInfo again');
  const manifest = await ctx.store.snapshot(ticket.table, ticket.version);
  if (manifest.tableId !== ticket.tableId) throw new QuiverError('NOT_FOUND', `table ${JSON.stringify(ticket.table)} was dropped and re-created since this ticket was issued; call GetFlightInfo again`);
  const superseded = await ctx.store.supersededAt(ticket.table, ticket.version);
  if (superseded !== null && ctx.leases.expiration(key, superseded, ctx.retentionMs) < Date.now()) throw expiredError(ticket.table, ticket.version);
  if (ticket.files[1] > manifest.files.length) throw new QuiverError('INVALID_ARGUMENT', 'corrupt quiver ticket: it names data files the version does not have');

  yield { header: projectedSchema(manifest, ticket.columns), body: new Uint8Array(0) };
  // Stored frames are encoded for the wire once, as they are read: a cached file's frames are
  // then sent by every later DoGet without encoding them again (src/wire/flight-data.ts). Set
  // here, not when the handler is built: the store exists only once the server has started.
  ctx.store.reader.encodeFramesWith(prebuiltFlightData);
  const frames = ctx.store.readFiles(manifest, manifest.files.slice(ticket.files[0], ticket.files[1]), ticket.columns);
  try {
    for await (const frame of frames) {
      if (info.signal.aborted) return;
      yield frame; // the object itself: its prebuilt encoding is kept for it alone
    }
  } catch (e) {
    // A file deleted under a reader is damage only while its version is retained; after expiry
    // (and the GC grace period) it is the expected end of that version: the stream fails with
    // NOT_FOUND, so no client takes the batches it already got for the whole.
    if (e instanceof QuiverError && e.code === 'DATA_LOSS' && !(await ctx.store.coordinator.entry(ticket.table, ticket.version).catch(() => 'unknown'))) {
      throw new QuiverError('NOT_FOUND', `version ${ticket.version} of table ${JSON.stringify(ticket.table)} expired while this stream was being read; call GetFlightInfo again for the current version`, { cause: e });
    }
    throw e;
  } finally {
    await frames.return(undefined);
  }
}

