// FlightData messages in, apache-arrow RecordBatches out, each as soon as its message has
// arrived (DoExchange in lockstep depends on that). The messages drive: each is framed as IPC (a
// prefix for the header, then the body as its own chunk, never copied into one stream buffer)
// and queued for arrow-js's synchronous streaming reader, which is asked for a batch only once a
// whole record batch message is queued (dictionary messages before it are consumed on the way),
// so it decodes in the same turn as the message arrived and never waits on its source.
// Metadata-only messages never reach arrow-js and come out in stream order.
//
// Synchronous because a stream's cost per message matters: arrow-js's asynchronous reader takes
// a dozen promise-driven generator steps per message, which was most of the client's CPU when a
// hundred change-feed followers shared one process (bench/follow.ts).
import { RecordBatchReader, Table, type RecordBatch, type RecordBatchFileReader, type RecordBatchStreamReader, type Schema } from 'apache-arrow';
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

const EMPTY_CHUNK = new Uint8Array(0);

/**
 * Chunks queued by the message loop, pulled by arrow-js's reader, which is asked to decode only
 * whole queued messages. Its byte source asks for one chunk more when a read takes exactly the
 * bytes it holds (asking for 0 more bytes): an empty chunk answers that. Asked for bytes the
 * queue does not have, the message is shorter than its header says: done, which arrow-js
 * reports as a truncated message.
 */
class ChunkQueue implements IterableIterator<Uint8Array> {
  private readonly chunks: Uint8Array[] = [];

  push(chunk: Uint8Array): void {
    if (chunk.byteLength > 0) this.chunks.push(chunk);
  }

  next(wanted?: number): IteratorResult<Uint8Array> {
    const chunk = this.chunks.shift();
    if (chunk) return { done: false, value: chunk };
    return wanted !== undefined && wanted <= 0 ? { done: false, value: EMPTY_CHUNK } : { done: true, value: undefined };
  }

  [Symbol.iterator](): IterableIterator<Uint8Array> {
    return this;
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
    const queue = new ChunkQueue();
    // A stream reader: the queue starts with a continuation marker, never a file's magic.
    let reader: RecordBatchStreamReader | RecordBatchFileReader | null = null;
    try {
      for await (const m of this.messages) {
        if (m.header.byteLength === 0) {
          if (m.appMetadata) yield { batch: null, appMetadata: m.appMetadata };
          continue;
        }
        queue.push(framePrefix(m.header));
        queue.push(m.body);
        let batch: RecordBatch;
        try {
          if (!reader) {
            // The first message with a header is the schema; the reader reads it on open().
            reader = RecordBatchReader.from(queue).open();
            this.schemaValue = reader.schema ?? null;
            continue;
          }
          if (messageHeaderType(m.header) !== MESSAGE_RECORD_BATCH) continue;
          const next = reader.next();
          if (next.done) throw new Error('the stream ended before its record batch');
          batch = next.value;
          this.schemaValue ??= batch.schema;
        } catch (e) {
          throw malformed(e);
        }
        yield m.appMetadata ? { batch, appMetadata: m.appMetadata } : { batch };
      }
    } finally {
      reader?.cancel();
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
