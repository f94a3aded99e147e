// One validator per incoming IPC stream: every record and dictionary batch is checked against
// the stream's schema before it is staged or used (issue 9, item 2), so that whatever quiver
// accepts, Arrow C++'s ValidateFull accepts too. Compressed bodies are decompressed (bounded by
// what they really decode to) and the decompressed buffers checked; the stored bytes stay as
// sent. Dictionary lengths are carried from one dictionary batch to the next (deltas add).
import { Message, MessageHeader, type Field, type Schema } from 'apache-arrow';
import { DictionaryBatch, type RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import type { IpcFrame } from '../ipc-framing.ts';
import { decompressBody } from '../body-compression.ts';
import { IpcFormatError, type MessageInfo } from '../ipc-message.ts';
import { BodyWalker } from './body-walker.ts';
import { InvalidArrayError } from './buffer-views.ts';
import { checkSchema } from './schema-rules.ts';
import { QuiverError } from '../../errors.ts';

export class StreamValidator {
  private readonly dictionaries = new Map<number, number>();
  /** The column each dictionary id belongs to, to name it in messages. */
  private readonly dictionaryColumns = new Map<number, string>();

  /** Checks the schema's own rules; throws IpcFormatError naming the column. */
  constructor(private readonly schema: Schema) {
    guard(() => checkSchema(schema));
    const visit = (f: Field, path: string) => {
      if (f.type.typeId === -1 /* Dictionary */) {
        const d = f.type as unknown as { id: number; dictionary: { children?: Field[] } };
        if (!this.dictionaryColumns.has(d.id)) this.dictionaryColumns.set(d.id, path);
        (d.dictionary.children ?? []).forEach((c) => visit(c, `${path}.${c.name}`));
        return;
      }
      (f.type.children ?? []).forEach((c: Field) => visit(c, `${path}.${c.name}`));
    };
    schema.fields.forEach((f) => visit(f, f.name));
  }

  /**
   * Checks one record or dictionary batch (header already inspected, body of the declared
   * length); `what` names it in messages ("message 3"). Throws IpcFormatError. Returns the
   * frame to keep: the same one, or for a compressed body the decompressed frame that was
   * checked. Node has no libzstd or liblz4; the pure-JS decoders accept some damaged data that
   * Arrow C++'s refuse, so a stored compressed body could pass here and fail every reader.
   */
  check(header: Uint8Array, body: Uint8Array, info: MessageInfo, what: string): IpcFrame {
    if (info.kind === 'schema') throw new IpcFormatError(`${what} is a schema where a batch belongs`);
    const message = Message.decode(header.byteOffset % 8 === 0 ? header : new Uint8Array(header));
    if (message.headerType === MessageHeader.DictionaryBatch) {
      const db = message.header() as unknown as DictionaryBatch;
      const id = Number(db.id);
      const valueType = this.schema.dictionaries.get(id);
      const column = this.dictionaryColumns.get(id) ?? `with dictionary id ${id}`;
      if (!valueType) throw new IpcFormatError(`${what} is a dictionary batch for id ${id}, which no column of the schema uses`);
      const previous = this.dictionaries.get(id);
      if (db.isDelta && previous === undefined) throw new IpcFormatError(`${what}: a dictionary delta for column ${column} before its first dictionary batch`);
      const checked = guard(() => this.walk(db.data, body, message.version, [{ name: column, type: valueType } as Field]), `${what} (dictionary of column ${column})`);
      this.dictionaries.set(id, (db.isDelta ? previous! : 0) + checked.length);
      if (!checked.decompressed) return { header, body };
      const { header: plain, body: flat } = checked.decompressed;
      return { header: Message.encode(Message.from(new DictionaryBatch(plain, id, db.isDelta), flat.byteLength)), body: flat };
    }
    // Arrow C++'s stream reader needs every dictionary before the first record batch.
    for (const [id, column] of this.dictionaryColumns) {
      if (!this.dictionaries.has(id)) throw new IpcFormatError(`${what} is a record batch before the dictionary batch of column ${column} (dictionary id ${id})`);
    }
    const rb = message.header() as unknown as RecordBatchHeader;
    const checked = guard(() => this.walk(rb, body, message.version, this.schema.fields), what);
    if (!checked.decompressed) return { header, body };
    const { header: plain, body: flat } = checked.decompressed;
    return { header: Message.encode(Message.from(plain, flat.byteLength)), body: flat };
  }

  /** Walks a batch's columns; returns its length and, if its body was compressed, the decompressed batch. */
  private walk(rb: RecordBatchHeader, compressedBody: Uint8Array, version: number, fields: Field[]): { length: number; decompressed: { header: RecordBatchHeader; body: Uint8Array } | null } {
    if (rb.compression != null && version < 4) throw new InvalidArrayError('body compression needs metadata version V5');
    const { header, body } = decompressBody(rb, compressedBody);
    const length = Number(header.length);
    if (!(Number.isSafeInteger(length) && length >= 0)) throw new InvalidArrayError(`its length is ${header.length}`);
    const layout = {
      nodes: header.nodes.map((n) => ({ length: Number(n.length), nullCount: Number(n.nullCount) })),
      buffers: header.buffers.map((b) => ({ offset: Number(b.offset), length: Number(b.length) })),
      variadicBufferCounts: (header.variadicBufferCounts ?? []).map(Number),
    };
    const walker = new BodyWalker(body, layout, version, (id) => this.dictionaries.get(id));
    for (const field of fields) {
      const column = walker.column(field, field.name);
      // RecordBatch::ValidateFull: every column as long as the batch.
      if (column.length !== length) throw new InvalidArrayError(`column ${field.name}: it holds ${column.length} values, the batch has ${length} rows`);
    }
    walker.finish();
    return { length, decompressed: rb.compression != null ? { header, body } : null };
  }
}

function guard<T>(run: () => T, what?: string): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof InvalidArrayError) throw new IpcFormatError(what ? `${what}, ${e.message}` : e.message);
    if (e instanceof IpcFormatError || e instanceof QuiverError) throw e;
    // arrow-js's header decoder on a verified but nonsensical header: still the client's input.
    throw new IpcFormatError(`${what ?? 'the schema'} cannot be read (${e instanceof Error ? e.message : String(e)})`);
  }
}
