// DoExchange: one call that streams record batches both ways. The caller writes batches (and
// app_metadata) and reads the server's stream at its own pace: a server that answers each batch
// as it arrives can be driven in lockstep (write, read the answer, write the next).
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import type { RecordBatch, Schema } from 'apache-arrow';
import type { FlightDataMessage, FlightDescriptorValue } from '../wire/flight-data.ts';
import { resetStream } from '../wire/stream-reset.ts';
import { serverStream, type CallOptions } from './calls.ts';
import { FlightError, cancelledError, toFlightError } from './flight-error.ts';
import type { WriteCompression } from '../arrow/compression-codecs.ts';
import { FlightDataEncoder } from './record-batch-encoder.ts';
import { FlightRecordBatchStream, type FlightStreamItem } from './record-batch-stream.ts';

/** Options of {@link FlightClient.doExchange}. */
export interface ExchangeOptions extends CallOptions {
  /**
   * The schema of the batches the caller will write. Given here, the schema goes out (with the
   * descriptor) as soon as the call starts; otherwise the first written batch supplies it.
   */
  schema?: Schema;
  /** Send batch bodies LZ4 frame compressed (Arrow IPC body compression); zstd is read only. */
  compression?: WriteCompression;
}

type ExchangeCall = grpc.ClientDuplexStream<FlightDataMessage, FlightDataMessage>;

/**
 * The server sees the descriptor on the first message the client sends: the schema when
 * options.schema is given, else the first write, else (for an exchange the caller only reads)
 * a message carrying the descriptor alone, sent by end().
 */
export class FlightExchange implements AsyncIterable<RecordBatch> {
  /** What the server sends: iterate it for batches, or its items() for app_metadata too. */
  readonly responses: FlightRecordBatchStream;
  private encoder: FlightDataEncoder | null = null;
  private descriptor: FlightDescriptorValue | null;
  private failure: FlightError | null = null;
  private ended = false;

  /**
   * Made by {@link FlightClient.doExchange}.
     * @internal
   */
  constructor(private readonly call: ExchangeCall, descriptor: FlightDescriptorValue, private readonly options: ExchangeOptions = {}) {
    this.descriptor = descriptor;
    // The read side reports the same failure; this listener keeps it from being unhandled when
    // the caller only writes.
    call.on('error', (e) => (this.failure ??= toFlightError(e)));
    const onAbort = () => this.cancel();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    call.on('status', () => options.signal?.removeEventListener('abort', onAbort));
    this.responses = new FlightRecordBatchStream(serverStream(call as unknown as grpc.ClientReadableStream<FlightDataMessage>, options.signal));
    // A failure here also fails the call, which the caller learns from the next write or read.
    if (options.schema) this.send(this.start(options.schema).schemaMessage).catch(() => undefined);
  }

  /** Sends one batch, with app_metadata when given. Resolves once the transport accepted it. */
  async write(batch: RecordBatch, appMetadata?: Uint8Array): Promise<void> {
    this.checkOpen();
    let encoder = this.encoder;
    if (!encoder) {
      encoder = this.start(batch.schema);
      await this.send(encoder.schemaMessage);
    }
    for (const { message } of encoder.encode(batch, appMetadata)) await this.send(message);
  }

  /** Sends app_metadata alone (a FlightData message without data). */
  async writeMetadata(appMetadata: Uint8Array): Promise<void> {
    this.checkOpen();
    if (appMetadata.byteLength === 0) throw new TypeError('writeMetadata needs non-empty app_metadata');
    await this.send({ header: new Uint8Array(0), body: new Uint8Array(0), appMetadata });
  }

  /** Half-closes: the caller will write nothing more. The responses stay readable. */
  end(): void {
    if (this.ended) return;
    if (this.descriptor) this.send({ header: new Uint8Array(0), body: new Uint8Array(0) }).catch(() => undefined);
    this.ended = true;
    this.call.end();
  }

  /** Aborts the call; the server sees a reset stream, never a complete one. */
  cancel(): void {
    this.ended = true;
    resetStream(this.call);
  }

  /** The record batches the server sends back, as they arrive. */
  [Symbol.asyncIterator](): AsyncIterator<RecordBatch> {
    return this.responses[Symbol.asyncIterator]();
  }

  /** The server's messages with their app_metadata (see FlightRecordBatchStream.items). */
  items(): AsyncGenerator<FlightStreamItem> {
    return this.responses.items();
  }

  private start(schema: Schema): FlightDataEncoder {
    this.encoder = new FlightDataEncoder(schema, this.options.compression);
    return this.encoder;
  }

  private checkOpen(): void {
    if (this.options.signal?.aborted) throw cancelledError(this.options.signal);
    if (this.failure) throw this.failure;
    if (this.ended) throw new FlightError(grpc.status.FAILED_PRECONDITION, 'this exchange was ended: nothing more can be written');
  }

  /** Writes one message (the first one carries the descriptor), waiting while the transport is full. */
  private async send(message: FlightDataMessage): Promise<void> {
    if (this.descriptor) {
      message = { descriptor: this.descriptor, ...message };
      this.descriptor = null;
    }
    if (this.call.write(message)) return;
    const failed = once(this.call, 'error').then(([e]) => Promise.reject(toFlightError(e)));
    failed.catch(() => undefined);
    await Promise.race([once(this.call, 'drain'), failed]);
  }
}
