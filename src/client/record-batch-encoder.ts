// apache-arrow RecordBatches in, DoPut FlightData messages out. One RecordBatchStreamWriter
// serves the whole stream, so dictionaries are sent once and then as deltas, exactly as arrow-js
// writes an IPC stream; its output is collected per batch and split into messages.
import * as grpc from '@grpc/grpc-js';
import { RecordBatchStreamWriter, type CompressionType, type RecordBatch, type Schema } from 'apache-arrow';
import { compareSchemas } from 'apache-arrow/visitor/typecomparator';
import { compressFrame } from '../arrow/body-compression.ts';
import { WRITE_COMPRESSION, type WriteCompression } from '../arrow/compression-codecs.ts';
import { MESSAGE_RECORD_BATCH, decodeStream, messageHeaderType } from '../arrow/ipc-framing.ts';
import type { FlightDataMessage, FlightDescriptorValue } from '../wire/flight-data.ts';
import { FlightError } from './flight-error.ts';
import { WriterChunks } from './writer-chunks.ts';

export interface EncodedMessage {
  message: FlightDataMessage;
  /** Set on record batch messages: the batch's rows, for acknowledgements and progress. */
  rows: number | null;
}

/** The app_metadata to send with a batch (by batch and index), or undefined for none. */
export type AppMetadataFor = (batch: RecordBatch, index: number) => Uint8Array | undefined;

/**
 * One stream's encoder: the schema message first, then each batch's messages (dictionaries,
 * then the record batch), with the state (dictionaries already sent) of a single IPC stream.
 */
export class FlightDataEncoder {
  private readonly sink = new WriterChunks();
  private readonly writer = new RecordBatchStreamWriter();
  private readonly compression: CompressionType | null;
  private index = 0;
  /** The schema message, to be sent before any batch. */
  readonly schemaMessage: FlightDataMessage;

  /** `compression` compresses every buffer of every batch body (where that makes it smaller). */
  constructor(readonly schema: Schema, compression?: WriteCompression) {
    this.compression = compression ? WRITE_COMPRESSION[compression] : null;
    this.writer.reset(this.sink, schema);
    const [schemaFrame] = [...decodeStream(this.sink.take())];
    if (!schemaFrame) throw new FlightError(grpc.status.INTERNAL, 'arrow-js wrote no schema message');
    this.schemaMessage = { header: schemaFrame.header, body: schemaFrame.body };
  }

  /** The messages of one batch; app_metadata goes on its record batch message (never empty). */
  encode(batch: RecordBatch, appMetadata?: Uint8Array): EncodedMessage[] {
    if (!compareSchemas(this.schema, batch.schema)) {
      throw new FlightError(grpc.status.INVALID_ARGUMENT, `batch ${this.index + 1} has schema ${describe(batch.schema)}, but the stream started with ${describe(this.schema)}`);
    }
    this.index++;
    this.writer.write(batch);
    return [...decodeStream(this.sink.take())].map((written) => {
      const frame = this.compression === null ? written : compressFrame(written, this.compression);
      const isBatch = messageHeaderType(frame.header) === MESSAGE_RECORD_BATCH;
      const message: FlightDataMessage = { header: frame.header, body: frame.body };
      if (isBatch && appMetadata && appMetadata.byteLength > 0) message.appMetadata = appMetadata;
      return { message, rows: isBatch ? batch.numRows : null };
    });
  }
}

export async function* encodeBatches(
  descriptor: FlightDescriptorValue,
  schema: Schema,
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  appMetadata?: AppMetadataFor,
  compression?: WriteCompression,
): AsyncGenerator<EncodedMessage> {
  const encoder = new FlightDataEncoder(schema, compression);
  yield { message: { descriptor, ...encoder.schemaMessage }, rows: null };
  let index = 0;
  for await (const batch of batches) {
    yield* encoder.encode(batch, appMetadata?.(batch, index));
    index++;
  }
}

function describe(schema: Schema): string {
  return `{${schema.fields.map((f) => `${f.name}: ${f.type}`).join(', ')}}`;
}
