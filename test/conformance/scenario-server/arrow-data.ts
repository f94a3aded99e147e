// Record batches as DoGet FlightData, written by arrow-js and split into IPC messages with
// quiver's framing code, so a scenario describes its data as plain columns of numbers.
import { Field, RecordBatch, RecordBatchStreamWriter, Schema, Struct, makeData, type DataType } from 'apache-arrow';
import { decodeStream } from '../../../src/arrow/ipc-framing.ts';
import { encodeSchema } from '../../../src/arrow/ipc-message.ts';
import type { FlightDataMessage } from '../../../src/wire/flight-data.ts';
import { encapsulatedSchema } from '../../../src/flight/read-plan.ts';

type TypedArray = Int32Array | Uint32Array;

/** A schema of one non-nullable column (what the scenario clients compare against). */
export function oneColumnSchema(name: string, type: DataType): Schema {
  return new Schema([new Field(name, type, false)]);
}

/** FlightInfo.schema bytes for a schema. */
export function flightInfoSchema(schema: Schema): Buffer {
  return encapsulatedSchema(encodeSchema(schema));
}

export function batchOf(schema: Schema, values: TypedArray): RecordBatch {
  const field = schema.fields[0]!;
  const child = makeData({ type: field.type, length: values.length, nullCount: 0, data: values } as never);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: values.length, nullCount: 0, children: [child] }));
}

/** The DoGet stream of these batches: schema message, then one message per batch. */
export function flightDataOf(schema: Schema, batches: RecordBatch[]): FlightDataMessage[] {
  if (batches.length === 0) return [{ header: encodeSchema(schema), body: new Uint8Array(0) }];
  const bytes = RecordBatchStreamWriter.writeAll(batches).toUint8Array(true);
  return [...decodeStream(bytes)].map((f) => ({ header: f.header, body: f.body }));
}
