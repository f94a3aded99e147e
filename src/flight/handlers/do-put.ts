// DoPut: the first message carries the descriptor and the schema; every later batch is landed
// in Arrow IPC files (file-stager.ts; conversion settles them into Parquet later) and acknowledged with a PutResult echoing its app_metadata; the end of the
// client's stream commits everything as one new version, acknowledged last. A stream that
// fails or is cancelled commits nothing and leaves no files behind.
import * as grpc from '@grpc/grpc-js';
import { inspectMessage, decodeSchema } from '../../arrow/ipc-message.ts';
import { invalidArgument } from '../../errors.ts';
import type { TableWrite } from '../../storage/table-writer.ts';
import type { FlightContext } from '../context.ts';
import { writeRequest } from '../descriptors.ts';
import type { FlightDataMessage } from '../../wire/flight-data.ts';
import { bidiStream, type CallInfo } from '../handler-kit.ts';
import type { PutResult } from '../../wire/protocol.ts';
import { validateBatchLayout } from '../batch-layout.ts';
import { forwardPut } from '../leader-forwarding.ts';
import { checkPutMessageSize, PutGate, refuseWhileReadOnly } from '../write-gate.ts';
import { requireRole } from '../roles.ts';
import { StreamValidator } from '../../arrow/validate/stream-validator.ts';
import type { FlightSqlService } from '../../sql/flight-sql-service.ts';

/** Trailer carrying the committed version of a DoPut as JSON: version, rows, added_rows, operation. */
export const COMMIT_TRAILER = 'quiver-commit';

type PutCall = grpc.ServerDuplexStream<FlightDataMessage, PutResult>;

export function doPut(ctx: FlightContext, sql?: FlightSqlService): grpc.handleBidiStreamingCall<FlightDataMessage, PutResult> {
  return bidiStream(ctx, 'DoPut', (call: PutCall, info: CallInfo) => putStream(ctx, call, info, sql));
}

async function putStream(ctx: FlightContext, call: PutCall, info: CallInfo, sql?: FlightSqlService): Promise<void> {
  let write: TableWrite | null = null;
  let batches = 0;
  // A cancelled call never ends its readable side; destroying it ends the loop below so that
  // the staged files are removed.
  const onAbort = () => call.destroy();
  info.signal.addEventListener('abort', onAbort, { once: true });
  try {
    // destroyOnReturn: false, or the iterator destroys the duplex before the commit is acknowledged.
    const messages = (call.iterator({ destroyOnReturn: false }) as AsyncIterable<FlightDataMessage>)[Symbol.asyncIterator]();
    const first = await messages.next();
    if (first.done) throw invalidArgument('empty DoPut stream: the first message must carry a FlightDescriptor and the Schema');
    const command = sql?.command(first.value.descriptor); // Flight SQL ingest, updates, parameters (src/sql)
    if (command) {
      checkPutMessageSize(ctx, first.value, 1);
      await sql!.doPut(command, call, messages, first.value, info);
      return;
    }
    requireRole(info.identity, 'write', 'DoPut');
    refuseWhileReadOnly(ctx, 'DoPut');
    checkPutMessageSize(ctx, first.value, 1);
    // A follower passes the whole stream to the leader; decided before any data is staged.
    const leader = await ctx.writeLeader();
    if (leader) {
      await forwardPut(call, messages, first.value, leader, info, ctx.peerCredentials);
      return;
    }
    write = await begin(ctx, first.value, info.signal);
    // Every batch is checked as Arrow C++'s ValidateFull would before it is staged: whatever
    // quiver stores, every reader can read.
    const validator = new StreamValidator(write.schema);
    const gate = new PutGate(ctx, call, info.signal); // memory and acknowledgement bounds (write-gate.ts)
    for (let next = await messages.next(); !next.done; next = await messages.next()) {
      const msg = next.value;
      if (info.signal.aborted) throw info.signal.reason;
      await gate.admit(msg, batches + 2);
      if (msg.header.byteLength === 0) {
        // A metadata-only message: nothing to stage, but its app_metadata is acknowledged too.
        if (msg.appMetadata) acknowledge(call, { app_metadata: msg.appMetadata });
        continue;
      }
      const m = inspectMessage(msg.header);
      if (m.kind === 'schema') throw invalidArgument('a DoPut stream carries one schema, in its first message; this stream sent a second one');
      if (msg.body.byteLength !== m.bodyLength) {
        throw invalidArgument(`malformed Arrow IPC: message ${batches + 1} declares a body of ${m.bodyLength} bytes but carries ${msg.body.byteLength}`);
      }
      validateBatchLayout(write.schema, m, msg.body, batches + 1);
      // A compressed body is staged as the decompressed batch the validator checked.
      const frame = validator.check(msg.header, msg.body, m, `message ${batches + 2}`);
      const staged = frame.header === msg.header ? m : inspectMessage(frame.header);
      if (staged.kind === 'schema') throw invalidArgument('a batch became a schema');
      await write.add({ frame, info: staged, ...(msg.appMetadata ? { appMetadata: msg.appMetadata } : {}) });
      batches++;
      if (m.kind === 'recordBatch') acknowledge(call, msg.appMetadata ? { app_metadata: msg.appMetadata } : {});
    }
    if (info.signal.aborted) throw info.signal.reason;
    // The cluster may have turned read-only while the stream was being sent.
    refuseWhileReadOnly(ctx, 'DoPut');
    const manifest = await write.commit();
    ctx.log.info('committed', { table: manifest.table, version: manifest.version, rows: manifest.added.rows, files: manifest.added.files, user: info.identity.user });
    // Exactly one PutResult per batch: Flight clients (Arrow Java's among them) pair the k-th
    // PutResult with the k-th batch. The commit itself is the call's OK status, and what it
    // committed rides in a trailer (ASCII only, so without the table name the client knows).
    const summary = { version: manifest.version, rows: manifest.rows, added_rows: manifest.added.rows, operation: manifest.operation };
    const trailer = new grpc.Metadata();
    trailer.set(COMMIT_TRAILER, JSON.stringify(summary));
    call.end(trailer);
  } catch (e) {
    await write?.abort();
    throw info.signal.aborted ? info.signal.reason : e;
  } finally {
    info.signal.removeEventListener('abort', onAbort);
  }
}

async function begin(ctx: FlightContext, msg: FlightDataMessage, signal: AbortSignal): Promise<TableWrite> {
  if (!msg.descriptor) throw invalidArgument('the first DoPut message must carry a FlightDescriptor (PATH with the table name, or CMD JSON)');
  const target = writeRequest(msg.descriptor);
  if (msg.header.byteLength === 0) throw invalidArgument('the first DoPut message must carry the Schema message of the stream');
  const schema = decodeSchema(msg.header);
  if (schema.fields.length === 0) throw invalidArgument('the stream\'s schema has no columns');
  return ctx.store.beginWrite(target.table, target.mode, msg.header, schema, signal);
}

/** Clients may read acknowledgements only after sending everything: never wait on them. */
function acknowledge(call: PutCall, result: PutResult): void {
  call.write(result);
}

