// Small Arrow tables for client and CLI tests.
import { RecordBatch, Table, Utf8, makeVector, vectorFromArray } from 'apache-arrow';

/** `batches` batches of `rows` rows: id (int32, running), name (utf8), score (float64). */
export function sampleTable(batches = 3, rows = 4): Table {
  const parts: RecordBatch[] = [];
  for (let b = 0; b < batches; b++) {
    const ids = Int32Array.from({ length: rows }, (_, i) => b * rows + i);
    const t = new Table({
      id: makeVector(ids),
      name: vectorFromArray(Array.from(ids, (i) => `row-${i}`), new Utf8()),
      score: makeVector(Float64Array.from(ids, (i) => i / 2)),
    });
    parts.push(...t.batches);
  }
  return new Table(parts);
}

export async function* batchesOf(table: Table): AsyncGenerator<RecordBatch> {
  for (const b of table.batches) yield b;
}

export const rowsOf = (t: Table) => t.toArray().map((r) => r.toJSON());
