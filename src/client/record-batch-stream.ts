// FlightData messages in, apache-arrow RecordBatches out. Each message is framed as IPC (a
// prefix for the header, then the body as its own chunk, never copied into one stream buffer)
// and fed to arrow-js's streaming reader, which pulls one message at a time. app_metadata is
// matched to batches by order: the reader yields batch i after consuming record batch message i,
// and not later: each batch is handed out as soon as its message has arrived.
import { RecordBatchReader, Table, type RecordBatch, type Schema } from 'apache-arrow';
import { MESSAGE_RECORD_BATCH, framePrefix, messageHeaderType } from '../arrow/ipc-framing.ts';
import type { FlightDataMessage } from '../flight/flight-data.ts';
import { FlightError, toFlightError } from './flight-error.ts';
import * as grpc from '@grpc/grpc-js';

/** One step of a Flight data stream: a batch with its app_metadata, or app_metadata alone. */
export type FlightStreamItem =
  | { batch: RecordBatch; appMetadata?: Uint8Array }
  | { batch: null; appMetadata: Uint8Array };

const EMPTY_CHUNK = new Uint8Array(0);

interface Pending {
  isBatch: boolean;
  appMetadata?: Uint8Array;
}

export class FlightRecordBatchStream implements AsyncIterable<RecordBatch> {
  private started = false;
  private schemaValue: Schema | null = null;

  constructor(private readonly messages: AsyncIterable<FlightDataMessage>) {}

  /** The stream's schema; known once iteration has started (null for an empty stream). */
  get schema(): Schema | null {
    return this.schemaValue;
  }

  /** Every batch with its app_metadata, and metadata-only messages, in stream order. */
  async *items(): AsyncGenerator<FlightStreamItem> {
    if (this.started) throw new FlightError(grpc.status.FAILED_PRECONDITION, 'a Flight data stream can be read only once');
    this.started = true;
    const pending: Pending[] = [];
    let sourceError: FlightError | null = null;
    const messages = this.messages;
    async function* ipcBytes(): AsyncGenerator<Uint8Array> {
      try {
        for await (const m of messages) {
          if (m.header.byteLength === 0) {
            if (m.appMetadata) pending.push({ isBatch: false, appMetadata: m.appMetadata });
            continue;
          }
          if (messageHeaderType(m.header) === MESSAGE_RECORD_BATCH) pending.push({ isBatch: true, appMetadata: m.appMetadata });
          yield framePrefix(m.header);
          if (m.body.byteLength > 0) yield m.body;
          // arrow-js's byte source asks for one chunk more than the message it is decoding;
          // this empty chunk answers that, so a batch is decoded as soon as its message
          // arrived instead of when the next one does (DoExchange in lockstep depends on it).
          yield EMPTY_CHUNK;
        }
      } catch (e) {
        sourceError = toFlightError(e);
        throw sourceError;
      }
    }
    const metadataOnly = function* (): Generator<FlightStreamItem> {
      while (pending.length > 0 && !pending[0]!.isBatch) yield { batch: null, appMetadata: pending.shift()!.appMetadata! };
    };
    try {
      const reader = await RecordBatchReader.from(ipcBytes());
      await reader.open();
      this.schemaValue = reader.schema ?? null;
      for await (const batch of reader) {
        this.schemaValue ??= batch.schema;
        yield* metadataOnly();
        const entry = pending.shift();
        yield entry?.appMetadata ? { batch, appMetadata: entry.appMetadata } : { batch };
      }
      yield* metadataOnly();
    } catch (e) {
      if (sourceError) throw sourceError;
      if (e instanceof FlightError) throw e;
      throw new FlightError(grpc.status.INTERNAL, `malformed Arrow data from the server: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

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
