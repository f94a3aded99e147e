// Checks every write passes first, on every replica (a follower checks before passing a DoPut
// to the leader, and the leader again before it commits).
//
// Read-only is FAILED_PRECONDITION, not UNAVAILABLE: UNAVAILABLE tells clients (and their retry
// policies) to send the same call again soon, while a read-only cluster stays so until an
// operator lifts it; FAILED_PRECONDITION is gRPC's code for "do not retry until the system's
// state has been changed".
import { QuiverError } from '../errors.ts';
import type { FlightContext } from './context.ts';
import type { FlightDataMessage } from '../wire/flight-data.ts';

export function refuseWhileReadOnly(ctx: FlightContext, what: string): void {
  if (!ctx.readOnly) return;
  throw new QuiverError('FAILED_PRECONDITION', `${what} refused: the server is read-only (setting readOnly); reads go on. In a cluster, \`quiver cluster config set readOnly=false\` lifts it`, { retriable: false });
}

/** Refuses a DoPut message over the limit in force (the gRPC server's own limit is fixed at start). */
export function checkPutMessageSize(ctx: FlightContext, msg: FlightDataMessage, index: number): void {
  const limit = ctx.maxPutMessageBytes;
  if (limit < 0) return;
  const size = msg.header.byteLength + msg.body.byteLength + (msg.appMetadata?.byteLength ?? 0);
  if (size <= limit) return;
  throw new QuiverError('RESOURCE_EXHAUSTED', `DoPut message ${index} is ${size} bytes, over this server's limit of ${limit} bytes (setting maxMessageBytes); nothing was committed, send smaller record batches`, { retriable: false });
}
