// apache-arrow RecordBatches in, DoPut FlightData messages out. One RecordBatchStreamWriter
// serves the whole stream, so dictionaries are sent once and then as deltas, exactly as arrow-js
// writes an IPC stream; its output is collected per batch and split into messages.
import * as grpc from '@grpc/grpc-js';
import { RecordBatchStreamWriter, type RecordBatch, type Schema } from 'apache-arrow';
import { compareSchemas } from 'apache-arrow/visitor/typecomparator';
import { MESSAGE_RECORD_BATCH, decodeStream, messageHeaderType } from '../arrow/ipc-framing.ts';
import type { FlightDataMessage, FlightDescriptorValue } from '../flight/flight-data.ts';
import { FlightError } from './flight-error.ts';
import { WriterChunks } from './writer-chunks.ts';

export interface EncodedMessage {
  message: FlightDataMessage;
  /** Set on record batch messages: the batch's rows, for acknowledgements and progress. */
  rows: number | null;
}

export type AppMetadataFor = (batch: RecordBatch, index: number) => Uint8Array | undefined;

export async function* encodeBatches(
  descriptor: FlightDescriptorValue,
  schema: Schema,
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  appMetadata?: AppMetadataFor,
): AsyncGenerator<EncodedMessage> {
  const sink = new WriterChunks();
  const writer = new RecordBatchStreamWriter();
  writer.reset(sink, schema);
  const [schemaFrame] = [...decodeStream(sink.take())];
  if (!schemaFrame) throw new FlightError(grpc.status.INTERNAL, 'arrow-js wrote no schema message');
  yield { message: { descriptor, header: schemaFrame.header, body: schemaFrame.body }, rows: null };
  let index = 0;
  for await (const batch of batches) {
    if (!compareSchemas(schema, batch.schema)) {
      throw new FlightError(grpc.status.INVALID_ARGUMENT, `batch ${index + 1} has schema ${describe(batch.schema)}, but the stream started with ${describe(schema)}`);
    }
    writer.write(batch);
    const metadata = appMetadata?.(batch, index);
    for (const frame of decodeStream(sink.take())) {
      const isBatch = messageHeaderType(frame.header) === MESSAGE_RECORD_BATCH;
      const message: FlightDataMessage = { header: frame.header, body: frame.body };
      if (isBatch && metadata && metadata.byteLength > 0) message.appMetadata = metadata;
      yield { message, rows: isBatch ? batch.numRows : null };
    }
    index++;
  }
}

function describe(schema: Schema): string {
  return `{${schema.fields.map((f) => `${f.name}: ${f.type}`).join(', ')}}`;
}
