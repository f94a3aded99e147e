// Checks every write passes first, on every replica (a follower checks before passing a DoPut
// to the leader, and the leader again before it commits).
//
// Read-only is FAILED_PRECONDITION, not UNAVAILABLE: UNAVAILABLE tells clients (and their retry
// policies) to send the same call again soon, while a read-only cluster stays so until an
// operator lifts it; FAILED_PRECONDITION is gRPC's code for "do not retry until the system's
// state has been changed".
import { once } from 'node:events';
import { QuiverError } from '../errors.ts';
import type { FlightContext } from './context.ts';
import type { FlightDataMessage } from '../wire/flight-data.ts';
import { DEFAULT_STALL_TIMEOUT_MS } from './limits-stall.ts';

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

// PutResults queued for a client beyond this wait for it to read them. Below it a DoPut never
// waits: clients may read acknowledgements only after sending everything (Arrow Java and
// pyarrow's simple put do), and waiting on them would deadlock such a client. A PutResult echoes
// its batch's app_metadata, so this is only reached by a client that sends large app_metadata
// and does not read.
export const ACK_QUEUE_BYTES = 8 * 1024 * 1024;
const ACK_OVERHEAD_BYTES = 16;

/**
 * What one DoPut may hold, checked as each message arrives (before it is staged):
 * - the message's size against the live limit (checkPutMessageSize);
 * - the app_metadata the write keeps until its commit (the manifest records it per batch)
 *   against --max-buffered-bytes: the staged batches themselves are flushed at that size, and
 *   their app_metadata must not escape the bound by riding along;
 * - the PutResults queued for a client that does not read them: over ACK_QUEUE_BYTES the call
 *   waits for them to drain, and after the stall timeout gives up (RESOURCE_EXHAUSTED).
 */
export class PutGate {
  private keptMetadata = 0;
  private unreadAcks = 0;

  constructor(private readonly ctx: FlightContext, private readonly call: NodeJS.EventEmitter & { writableNeedDrain?: boolean }, private readonly signal: AbortSignal) {}

  async admit(msg: FlightDataMessage, index: number): Promise<void> {
    checkPutMessageSize(this.ctx, msg, index);
    const metadata = msg.header.byteLength > 0 ? msg.appMetadata?.byteLength ?? 0 : 0;
    this.keptMetadata += metadata;
    const limit = this.ctx.maxBufferedBytes;
    if (limit !== undefined && metadata > 0 && this.keptMetadata > limit) {
      throw new QuiverError('RESOURCE_EXHAUSTED', `DoPut message ${index}: the stream's app_metadata adds up to ${this.keptMetadata} bytes, over this server's ${limit} (setting maxBufferedBytes, --max-buffered-bytes); nothing was committed. Send less app_metadata per batch, or split the stream into several DoPuts`, { retriable: false });
    }
    await this.drainAcknowledgements(msg, index);
  }

  private async drainAcknowledgements(msg: FlightDataMessage, index: number): Promise<void> {
    // grpc-js keeps unsent PutResults as objects in the call's own buffer: their size is counted
    // here, from the app_metadata each will echo, since the buffer last drained.
    if (!this.call.writableNeedDrain) this.unreadAcks = 0;
    this.unreadAcks += ACK_OVERHEAD_BYTES + (msg.appMetadata?.byteLength ?? 0);
    if (!this.call.writableNeedDrain || this.unreadAcks < ACK_QUEUE_BYTES) return;
    const timeoutMs = this.ctx.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    try {
      await once(this.call, 'drain', { signal: AbortSignal.any([this.signal, AbortSignal.timeout(timeoutMs)]) });
      this.unreadAcks = 0;
    } catch (e) {
      if (this.signal.aborted) throw this.signal.reason;
      if ((e as Error).name !== 'AbortError') throw e;
      throw new QuiverError('RESOURCE_EXHAUSTED', `DoPut message ${index}: over ${ACK_QUEUE_BYTES} bytes of PutResults wait for the client, which read none for ${timeoutMs / 1000} s (setting stallTimeoutMs); nothing was committed. Read PutResults while sending, or send less app_metadata (each PutResult echoes its batch's)`, { retriable: false });
    }
  }
}
