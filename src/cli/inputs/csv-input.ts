// CSV files, streamed: the header names the columns, the first `inferRows` rows decide their
// types, and rows are then turned into record batches as they are read. A later value that
// does not fit its column's type stops the upload with its line number (nothing is committed).
import fs from 'node:fs';
import { Field, RecordBatch, Schema, Struct, makeData, vectorFromArray } from 'apache-arrow';
import { countedRead } from './counted-read.ts';
import type { InputFile } from './input-file.ts';
import { csvRecords, type CsvRecord } from './csv-records.ts';
import { arrowType, inferType, parseValue, type CsvType } from './csv-types.ts';

export interface CsvOptions {
  inferRows: number;
  delimiter: string;
}

const BATCH_ROWS = 65_536;

export async function openCsv(file: string, options: CsvOptions): Promise<InputFile> {
  const sizeBytes = fs.statSync(file).size;
  const input = countedRead(file);
  const records = csvRecords(decodeUtf8(input.chunks), options.delimiter);
  const first = await records.next();
  if (first.done) throw new Error(`${file} is empty: a CSV file needs a header line naming its columns`);
  const names = first.value.fields.map((n, i) => n.trim() || `column_${i + 1}`);
  // The sample rows are kept and sent first; only they are buffered.
  const sample: CsvRecord[] = [];
  while (sample.length < options.inferRows) {
    const r = await records.next();
    if (r.done) break;
    sample.push(checkWidth(file, r.value, names.length));
  }
  const types: CsvType[] = names.map((_, c) => inferType(sample.map((r) => r.fields[c]!)));
  const schema = new Schema(names.map((n, c) => new Field(n, arrowType(types[c]!), true)));
  const toBatch = (rows: CsvRecord[]) => recordBatch(file, schema, types, rows, options.inferRows);
  return {
    path: file,
    sizeBytes,
    schema: async () => schema,
    async *batches(): AsyncGenerator<RecordBatch> {
      try {
        let rows = sample;
        for await (const record of records) {
          rows.push(checkWidth(file, record, names.length));
          if (rows.length >= BATCH_ROWS) {
            yield toBatch(rows);
            rows = [];
          }
        }
        if (rows.length > 0) yield toBatch(rows);
      } finally {
        input.close();
      }
    },
    progress: () => (sizeBytes > 0 ? Math.min(1, input.bytesRead() / sizeBytes) : 1),
  };
}

async function* decodeUtf8(stream: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  for await (const chunk of stream) yield decoder.decode(chunk, { stream: true });
  const rest = decoder.decode();
  if (rest) yield rest;
}

function checkWidth(file: string, record: CsvRecord, width: number): CsvRecord {
  if (record.fields.length !== width) throw new Error(`${file} line ${record.line}: ${record.fields.length} fields, but the header names ${width} columns`);
  return record;
}

function recordBatch(file: string, schema: Schema, types: CsvType[], rows: CsvRecord[], inferRows: number): RecordBatch {
  const children = schema.fields.map((field, c) => {
    const values = rows.map((r) => {
      const v = parseValue(types[c]!, r.fields[c]!);
      if (v === undefined) {
        throw new Error(`${file} line ${r.line}: ${JSON.stringify(r.fields[c])} in column ${JSON.stringify(field.name)} is not ${types[c]} (the type the first ${inferRows} rows suggested); raise --infer-rows to look at more rows`);
      }
      return v;
    });
    return vectorFromArray(values, field.type).data[0]!;
  });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }));
}
