// DoExchange: key lookups. The client opens the call with a CMD descriptor naming a table and
// its key column(s), then streams record batches holding keys; for every input batch the
// server answers with one batch of the table rows whose keys match, in input order, echoing the
// input batch's app_metadata. It is a read of one pinned version, so any replica serves it.
import * as grpc from '@grpc/grpc-js';
import type { Schema } from 'apache-arrow';
import { BatchDecoder, encodeBatch } from '../../arrow/batch-codec.ts';
import { inspectMessage } from '../../arrow/ipc-message.ts';
import { invalidArgument } from '../../errors.ts';
import { KeyIndexCache } from '../../storage/key-index.ts';
import { validateBatchLayout } from '../batch-layout.ts';
import type { FlightContext } from '../context.ts';
import type { FlightDataMessage } from '../../wire/flight-data.ts';
import { bidiStream, waitForDrain, watchReader, type CallInfo } from '../handler-kit.ts';
import { LookupPlan } from '../lookup-plan.ts';
import { LOOKUP_HELP, lookupRequest } from '../lookup-request.ts';
import { StreamValidator } from '../../arrow/validate/stream-validator.ts';

type ExchangeCall = grpc.ServerDuplexStream<FlightDataMessage, FlightDataMessage>;

export const DEFAULT_LOOKUP_INDEX_BYTES = 512 * 1024 * 1024;
/** An answer batch's rows: beyond it a lookup is RESOURCE_EXHAUSTED, not an out-of-memory (--max-lookup-answer-rows). */
export const DEFAULT_MAX_LOOKUP_ANSWER_ROWS = 4_000_000;
const EMPTY = new Uint8Array(0);

export function doExchange(ctx: FlightContext): grpc.handleBidiStreamingCall<FlightDataMessage, FlightDataMessage> {
  const indexes = new KeyIndexCache(() => ctx.store, ctx.lookupIndexBytes ?? DEFAULT_LOOKUP_INDEX_BYTES, '--lookup-index-bytes (env QUIVER_LOOKUP_INDEX_BYTES)');
  ctx.lookupObserver?.indexCache(indexes);
  return bidiStream(ctx, 'DoExchange', (call: ExchangeCall, info: CallInfo) => exchange(ctx, indexes, call, info));
}

async function exchange(ctx: FlightContext, indexes: KeyIndexCache, call: ExchangeCall, info: CallInfo): Promise<void> {
  // Answers wait for the client to read them: one that stops reading is reset.
  watchReader(ctx, 'DoExchange', call);
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

    const inputSchema = await readInputSchema(first.value, messages, send);
    if (!inputSchema) {
      call.end(); // the client sent no data at all
      return;
    }
    const validator = new StreamValidator(inputSchema);
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
        await echoMetadata(msg, send);
        continue;
      }
      const m = inspectMessage(msg.header);
      if (m.kind === 'schema') throw invalidArgument('a DoExchange lookup stream carries one schema, before its batches; this stream sent a second one');
      if (msg.body.byteLength !== m.bodyLength) throw invalidArgument(`malformed Arrow IPC: message ${messageNo} declares a body of ${m.bodyLength} bytes but carries ${msg.body.byteLength}`);
      validateBatchLayout(inputSchema, m, msg.body, messageNo);
      validator.check(msg.header, msg.body, m, `message ${messageNo}`);
      const batch = decoder.decode(msg);
      if (!batch) continue;
      batches++;
      ctx.lookupObserver?.looked(batch.numRows);
      const frames = encodeBatch(plan.answer(index, batch, inputKeys, ctx.maxLookupAnswerRows ?? DEFAULT_MAX_LOOKUP_ANSWER_ROWS));
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

/** The input's Schema: in the descriptor's message, or in a later one; null if the stream ends first. */
async function readInputSchema(first: FlightDataMessage, messages: AsyncIterator<FlightDataMessage>, send: (m: FlightDataMessage) => Promise<void>): Promise<Schema | null> {
  let message: FlightDataMessage | null = first;
  while (message.header.byteLength === 0) {
    await echoMetadata(message, send);
    const next = await messages.next();
    if (next.done) return null;
    message = next.value;
  }
  const info = inspectMessage(message.header);
  if (info.kind !== 'schema') throw invalidArgument(`the input must start with its Schema message, got a ${info.kind} message; ${LOOKUP_HELP}`);
  return info.schema;
}

/** A metadata-only message has nothing to look up, but is answered in turn so the client can correlate. */
async function echoMetadata(msg: FlightDataMessage, send: (m: FlightDataMessage) => Promise<void>): Promise<void> {
  if (msg.appMetadata) await send({ header: EMPTY, body: EMPTY, appMetadata: msg.appMetadata });
}
