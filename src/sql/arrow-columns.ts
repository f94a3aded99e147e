// Small builders for the fixed-schema results of Flight SQL's metadata calls: each column is
// built from plain values with its exact type, and the batch carries the schema as given (field
// names and nullability matter: clients compare them with the protocol's schemas).
import { Field, RecordBatch, Schema, Struct, makeData, vectorFromArray, type DataType, type Data } from 'apache-arrow';

export function column(type: DataType, values: readonly unknown[]): Data {
  return vectorFromArray(values as unknown[], type).data[0]!;
}

/** One record batch of `schema` from one Data per field (all the same length). */
export function batchOf(schema: Schema, columns: Data[]): RecordBatch {
  const length = columns[0]?.length ?? 0;
  const struct = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children: columns });
  return new RecordBatch(schema, struct);
}

/** A batch from rows of plain values, keyed by field name. */
export function batchFromRows(schema: Schema, rows: readonly Record<string, unknown>[]): RecordBatch {
  return batchOf(schema, schema.fields.map((f: Field) => column(f.type, rows.map((r) => r[f.name] ?? null))));
}
