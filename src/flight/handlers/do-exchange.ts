// DoExchange: key lookups. The client opens the call with a CMD descriptor naming a table and
// its key column(s), then streams record batches holding keys; for every input batch the
// server answers with one batch of the table rows whose keys match, in input order, echoing the
// input batch's app_metadata. It is a read of one pinned version, so any replica serves it.
import * as grpc from '@grpc/grpc-js';
import { BatchDecoder, encodeBatch } from '../../arrow/batch-codec.ts';
import { inspectMessage } from '../../arrow/ipc-message.ts';
import { invalidArgument } from '../../errors.ts';
import { KeyIndexCache } from '../../storage/key-index.ts';
import { validateBatchLayout } from '../batch-layout.ts';
import type { FlightContext } from '../context.ts';
import type { FlightDataMessage } from '../flight-data.ts';
import { bidiStream, waitForDrain, type CallInfo } from '../handler-kit.ts';
import { LookupPlan } from '../lookup-plan.ts';
import { LOOKUP_HELP, lookupRequest } from '../lookup-request.ts';

type ExchangeCall = grpc.ServerDuplexStream<FlightDataMessage, FlightDataMessage>;

export const DEFAULT_LOOKUP_INDEX_BYTES = 512 * 1024 * 1024;
const EMPTY = new Uint8Array(0);

export function doExchange(ctx: FlightContext): grpc.handleBidiStreamingCall<FlightDataMessage, FlightDataMessage> {
  const indexes = new KeyIndexCache(() => ctx.store, ctx.lookupIndexBytes ?? DEFAULT_LOOKUP_INDEX_BYTES, '--lookup-index-bytes (env QUIVER_LOOKUP_INDEX_BYTES)');
  return bidiStream(ctx, 'DoExchange', (call: ExchangeCall, info: CallInfo) => exchange(ctx, indexes, call, info));
}

async function exchange(ctx: FlightContext, indexes: KeyIndexCache, call: ExchangeCall, info: CallInfo): Promise<void> {
  // A cancelled call never ends its readable side; destroying it ends the loops below.
  const onAbort = () => call.destroy();
  info.signal.addEventListener('abort', onAbort, { once: true });
  const send = async (msg: FlightDataMessage) => {
    if (info.signal.aborted) throw info.signal.reason;
    if (!call.write(msg)) await waitForDrain(call, info.signal);
  };
  try {
    const messages = (call.iterator({ destroyOnReturn: false }) as AsyncIterable<FlightDataMessage>)[Symbol.asyncIterator]();
    const first = await messages.next();
    if (first.done) throw invalidArgument(`empty DoExchange stream; ${LOOKUP_HELP}`);
    const request = lookupRequest(first.value.descriptor);
    const manifest = await ctx.store.snapshot(request.table, request.version);
    const plan = new LookupPlan(manifest, request);
    await send({ header: plan.schemaHeader, body: EMPTY });

    // The input's schema: with the descriptor, or in a later message.
    let schemaMessage: FlightDataMessage | null = first.value.header.byteLength > 0 ? first.value : null;
    if (!schemaMessage && first.value.appMetadata) await send({ header: EMPTY, body: EMPTY, appMetadata: first.value.appMetadata });
    while (!schemaMessage) {
      const next = await messages.next();
      if (next.done) {
        call.end();
        return;
      }
      if (next.value.header.byteLength > 0) schemaMessage = next.value;
      else if (next.value.appMetadata) await send({ header: EMPTY, body: EMPTY, appMetadata: next.value.appMetadata });
    }
    const schemaInfo = inspectMessage(schemaMessage.header);
    if (schemaInfo.kind !== 'schema') throw invalidArgument(`the input must start with its Schema message, got a ${schemaInfo.kind} message; ${LOOKUP_HELP}`);
    const inputSchema = schemaInfo.schema;
    const inputKeys = plan.bindInput(inputSchema);
    const index = await indexes.acquire(plan.index, info.signal);
    const started = Date.now();
    const decoder = new BatchDecoder(inputSchema);
    let batches = 0;
    let messageNo = 1;
    for (let next = await messages.next(); !next.done; next = await messages.next()) {
      if (info.signal.aborted) throw info.signal.reason;
      const msg = next.value;
      messageNo++;
      if (msg.header.byteLength === 0) {
        // Metadata only: nothing to look up, but answered in turn so the client can correlate.
        if (msg.appMetadata) await send({ header: EMPTY, body: EMPTY, appMetadata: msg.appMetadata });
        continue;
      }
      const m = inspectMessage(msg.header);
      if (m.kind === 'schema') throw invalidArgument('a DoExchange lookup stream carries one schema, before its batches; this stream sent a second one');
      if (m.compressed) throw invalidArgument(`message ${messageNo} has a compressed body; send lookup batches uncompressed`);
      if (msg.body.byteLength !== m.bodyLength) throw invalidArgument(`malformed Arrow IPC: message ${messageNo} declares a body of ${m.bodyLength} bytes but carries ${msg.body.byteLength}`);
      validateBatchLayout(inputSchema, m, msg.body, messageNo);
      const batch = decoder.decode(msg);
      if (!batch) continue;
      batches++;
      const frames = encodeBatch(plan.answer(index, batch, inputKeys));
      for (let i = 0; i < frames.length; i++) {
        const frame = frames[i]!;
        const last = i === frames.length - 1;
        await send(last && msg.appMetadata ? { header: frame.header, body: frame.body, appMetadata: msg.appMetadata } : { header: frame.header, body: frame.body });
      }
    }
    ctx.log.info('lookups served', { table: manifest.table, version: manifest.version, key: request.key, batches, ms: Date.now() - started, user: info.identity.user });
    call.end();
  } catch (e) {
    throw info.signal.aborted ? info.signal.reason : e;
  } finally {
    info.signal.removeEventListener('abort', onAbort);
  }
}
