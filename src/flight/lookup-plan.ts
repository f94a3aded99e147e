// A lookup against one pinned version: which table columns are the key and which are returned,
// how an input stream's key columns line up with them, and how an answer batch is built.
import { RecordBatch, Schema, Struct, makeData, vectorFromArray, type Data, type DataType } from 'apache-arrow';
import { decodeSchema, encodeSchema } from '../arrow/ipc-message.ts';
import { compositeKeyReader, keyTypeProblem, sameKeyType, typeName } from '../arrow/key-values.ts';
import { takeRows } from '../arrow/take.ts';
import { invalidArgument } from '../errors.ts';
import { schemaBytes, type Manifest } from '../storage/manifest.ts';
import type { IndexSpec, KeyIndex } from '../storage/key-index.ts';
import type { LookupRequest } from './lookup-request.ts';

export class LookupPlan {
  readonly outputSchema: Schema;
  /** Schema message flatbuffer of the answers, sent before anything else. */
  readonly schemaHeader: Uint8Array;
  readonly index: IndexSpec;
  private readonly tableSchema: Schema;
  private readonly outputColumns: number[];
  private readonly keyColumns: number[];

  constructor(private readonly manifest: Manifest, private readonly request: LookupRequest) {
    this.tableSchema = decodeSchema(schemaBytes(manifest));
    const names = this.tableSchema.fields.map((f) => f.name);
    const missing = (name: string, role: string) => invalidArgument(`table ${JSON.stringify(manifest.table)} has no ${role} column ${JSON.stringify(name)}; its columns are ${names.join(', ')}`);
    this.keyColumns = request.key.map((k) => {
      const i = names.indexOf(k);
      if (i < 0) throw missing(k, 'key');
      if (names.lastIndexOf(k) !== i) throw invalidArgument(`table ${JSON.stringify(manifest.table)} has several columns named ${JSON.stringify(k)}, so it cannot be the key`);
      return i;
    });
    for (const c of this.keyColumns) {
      const field = this.tableSchema.fields[c]!;
      const problem = keyTypeProblem(field.type);
      if (problem) throw invalidArgument(`key column ${JSON.stringify(field.name)} of table ${JSON.stringify(manifest.table)} has type ${typeName(field.type)}: ${problem}`);
    }
    // Table order, every column of a requested name, as GetFlightInfo projects.
    for (const c of request.columns ?? []) if (!names.includes(c)) throw missing(c, 'requested');
    const wanted = request.columns ? new Set(request.columns) : null;
    this.outputColumns = names.map((_, i) => i).filter((i) => !wanted || wanted.has(names[i]!));
    this.outputSchema = new Schema(this.outputColumns.map((i) => this.tableSchema.fields[i]!), this.tableSchema.metadata);
    this.schemaHeader = encodeSchema(this.outputSchema);
    this.index = {
      id: JSON.stringify([manifest.table, manifest.tableId, manifest.version, request.key]),
      describe: `table ${JSON.stringify(manifest.table)} version ${manifest.version}, key ${request.key.join(', ')}`,
      manifest,
      keyColumns: this.keyColumns,
    };
  }

  /** Positions of the key columns in the input, whose types must equal the table's. */
  bindInput(input: Schema): number[] {
    return this.request.key.map((name, k) => {
      const i = input.fields.findIndex((f) => f.name === name);
      if (i < 0) throw invalidArgument(`the input has no key column ${JSON.stringify(name)}; its columns are ${input.fields.map((f) => f.name).join(', ') || '(none)'}; send batches holding the key column(s) ${this.request.key.join(', ')}`);
      const got = input.fields[i]!.type;
      const want = this.tableSchema.fields[this.keyColumns[k]!]!.type;
      if (!sameKeyType(got, want)) {
        throw invalidArgument(`key column ${JSON.stringify(name)} is ${typeName(got)} in the input but ${typeName(want)} in table ${JSON.stringify(this.manifest.table)}; cast the input column to ${typeName(want)}`);
      }
      return i;
    });
  }

  /** The table rows matching each row of `input` (in input order), as one batch of at most `maxRows`. */
  answer(index: KeyIndex, input: RecordBatch, inputKeyColumns: number[], maxRows = Infinity): RecordBatch {
    const read = compositeKeyReader(inputKeyColumns.map((c) => input.data.children[c]!));
    const picks = index.lookup(read, input.numRows, maxRows, this.index.describe);
    const children = this.outputColumns.map((c) => {
      const type = this.tableSchema.fields[c]!.type;
      return takeRows(type, index.batches.length > 0 ? index.batches.map((b) => b.data.children[c]!) : [emptyColumn(type)], picks);
    });
    return new RecordBatch(this.outputSchema, makeData({ type: new Struct(this.outputSchema.fields), length: picks.chunk.length, children }));
  }
}

/** A column of no rows, for a table with no batches at all. */
function emptyColumn(type: DataType): Data {
  return vectorFromArray([], type).data[0]!;
}
