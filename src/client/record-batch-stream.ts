// FlightData messages in, apache-arrow RecordBatches out, each as soon as its message has
// arrived (DoExchange in lockstep depends on that). The messages drive: each is framed as IPC (a
// prefix for the header, then the body as its own chunk, never copied into one stream buffer)
// and handed to arrow-js's streaming reader, which is asked for a batch only once a record batch
// message has been handed over; dictionary messages are consumed by it on the way. Metadata-only
// messages never reach arrow-js and come out in stream order.
import { RecordBatchReader, Table, type RecordBatch, type Schema } from 'apache-arrow';
// Registers arrow-js's LZ4 frame and zstd codecs, so compressed batches read like any other.
import '../arrow/compression-codecs.ts';
import { MESSAGE_RECORD_BATCH, framePrefix, messageHeaderType } from '../arrow/ipc-framing.ts';
import type { FlightDataMessage } from '../wire/flight-data.ts';
import { FlightError } from './flight-error.ts';
import * as grpc from '@grpc/grpc-js';

/** One step of a Flight data stream: a batch with its app_metadata, or app_metadata alone. */
export type FlightStreamItem =
  | { batch: RecordBatch; appMetadata?: Uint8Array }
  | { batch: null; appMetadata: Uint8Array };

/**
 * arrow-js's byte source asks for one chunk more than the message it is decoding; an empty
 * chunk after each message answers that without waiting for the next message.
 */
const EMPTY_CHUNK = new Uint8Array(0);

/** Chunks pushed by the message loop, pulled by arrow-js's reader. */
class ChunkChannel implements AsyncIterable<Uint8Array> {
  private readonly chunks: Uint8Array[] = [];
  private wake: (() => void) | null = null;
  private closed = false;

  push(...chunks: Uint8Array[]): void {
    this.chunks.push(...chunks);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      while (this.chunks.length > 0) yield this.chunks.shift()!;
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }
}

function malformed(e: unknown): FlightError {
  if (e instanceof FlightError) return e;
  return new FlightError(grpc.status.INTERNAL, `malformed Arrow data from the server: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/** The record batches of one DoGet stream, with each batch's app_metadata (see `items()`). */
export class FlightRecordBatchStream implements AsyncIterable<RecordBatch> {
  private started = false;
  private schemaValue: Schema | null = null;

  /** Decodes a stream of FlightData messages. */
  constructor(private readonly messages: AsyncIterable<FlightDataMessage>) {}

  /** The stream's schema; known once iteration has started (null for an empty stream). */
  get schema(): Schema | null {
    return this.schemaValue;
  }

  /** Every batch with its app_metadata, and metadata-only messages, in stream order. */
  async *items(): AsyncGenerator<FlightStreamItem> {
    if (this.started) throw new FlightError(grpc.status.FAILED_PRECONDITION, 'a Flight data stream can be read only once');
    this.started = true;
    const channel = new ChunkChannel();
    let batches: AsyncIterator<RecordBatch> | null = null;
    try {
      for await (const m of this.messages) {
        if (m.header.byteLength === 0) {
          if (m.appMetadata) yield { batch: null, appMetadata: m.appMetadata };
          continue;
        }
        channel.push(framePrefix(m.header), ...(m.body.byteLength > 0 ? [m.body] : []), EMPTY_CHUNK);
        try {
          if (!batches) {
            // The first message with a header is the schema; the reader reads it on open().
            const reader = await RecordBatchReader.from(channel);
            await reader.open();
            this.schemaValue = reader.schema ?? null;
            batches = reader[Symbol.asyncIterator]();
          }
          if (messageHeaderType(m.header) !== MESSAGE_RECORD_BATCH) continue;
          const next = await batches.next();
          if (next.done) throw new Error('the stream ended before its record batch');
          this.schemaValue ??= next.value.schema;
          yield m.appMetadata ? { batch: next.value, appMetadata: m.appMetadata } : { batch: next.value };
        } catch (e) {
          throw malformed(e);
        }
      }
    } finally {
      channel.close();
    }
  }

  /** The record batches, in order. */
  async *[Symbol.asyncIterator](): AsyncGenerator<RecordBatch> {
    for await (const item of this.items()) if (item.batch) yield item.batch;
  }

  /** All batches as one Table. */
  async readAll(): Promise<Table> {
    const batches: RecordBatch[] = [];
    for await (const b of this) batches.push(b);
    return this.schemaValue ? new Table(this.schemaValue, batches) : new Table(batches);
  }
}
