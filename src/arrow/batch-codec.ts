// IPC frames <-> arrow-js RecordBatches, one message at a time. arrow-js's own stream reader
// pulls bytes and may wait for more than one message; a DoExchange must answer each batch as it
// arrives, so this decodes every message on its own (dictionaries carried from one to the next)
// and encodes each answer into the frames of exactly one record batch.
import { Message, MessageHeader, RecordBatch, Schema, Struct, Type, UnionMode, Vector, makeData, type Data, type Field } from 'apache-arrow';
import { DictionaryBatch, RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import { VectorAssembler } from 'apache-arrow/visitor/vectorassembler';
import { VectorLoader } from 'apache-arrow/visitor/vectorloader';
import { decompressBody } from './body-compression.ts';
import type { IpcFrame } from './ipc-framing.ts';
import { IpcFormatError } from './ipc-message.ts';
import { hasNewerLayout } from './newer-layouts.ts';
import { invalidArgument } from '../errors.ts';

const aligned = (bytes: Uint8Array) => (bytes.byteOffset % 8 === 0 ? bytes : new Uint8Array(bytes));

export class BatchDecoder {
  private readonly dictionaries = new Map<number, Vector>();

  constructor(readonly schema: Schema) {
    // arrow-js cannot load these layouts' values; quiver stores and serves them without decoding.
    const newer = schema.fields.find((f) => hasNewerLayout(f.type));
    if (newer) throw invalidArgument(`column ${newer.name} has type ${newer.type}, whose values this server stores and serves but cannot decode for lookups or SQL; cast it to a list or plain type to use it here`);
  }

  /** The record batch a frame holds, or null for a dictionary batch (kept for later batches). */
  decode(frame: IpcFrame): RecordBatch | null {
    const message = Message.decode(aligned(frame.header));
    const body = aligned(frame.body);
    if (message.headerType === MessageHeader.DictionaryBatch) {
      const header = message.header() as unknown as DictionaryBatch;
      const type = this.schema.dictionaries.get(Number(header.id));
      if (!type) throw new IpcFormatError(`dictionary batch for id ${header.id}, which no column of the schema uses`);
      const [data] = this.load(header.data, body, [type]);
      checkData(data!, `dictionary ${header.id}`);
      const previous = this.dictionaries.get(Number(header.id));
      const vector = previous && header.isDelta ? previous.concat(new Vector([data!])) : new Vector([data!]);
      this.dictionaries.set(Number(header.id), vector.memoize());
      return null;
    }
    if (message.headerType !== MessageHeader.RecordBatch) throw new IpcFormatError(`expected a record or dictionary batch, got a ${MessageHeader[message.headerType] ?? message.headerType} message`);
    const header = message.header() as unknown as RecordBatchHeader;
    for (const id of this.schema.dictionaries.keys()) {
      if (!this.dictionaries.has(id)) throw new IpcFormatError(`record batch before the dictionary batch of dictionary id ${id}`);
    }
    const children = this.load(header, body, this.schema.fields.map((f) => f.type));
    children.forEach((c, i) => checkData(c, this.schema.fields[i]!.name));
    return new RecordBatch(this.schema, makeData({ type: new Struct(this.schema.fields), length: Number(header.length), children }));
  }

  private load(compressed: RecordBatchHeader, compressedBody: Uint8Array, types: Schema['fields'][number]['type'][]): Data[] {
    const { header, body } = decompressBody(compressed, compressedBody);
    try {
      return new VectorLoader(body, header.nodes, header.buffers, this.dictionaries, this.schema.metadataVersion, header.variadicBufferCounts).visitMany(types);
    } catch (e) {
      // arrow-js throws RangeErrors and TypeErrors on buffers that do not fit their types.
      throw new IpcFormatError(`the batch's buffers do not match its schema (${e instanceof Error ? e.message : String(e)})`);
    }
  }
}

/**
 * Every buffer at least as long as its Data's length needs. arrow-js does not check: a short
 * buffer reads as undefined values, which lookups would then index with.
 */
function checkData(data: Data, path: string): void {
  const { length, type } = data;
  const short = (what: string) => new IpcFormatError(`column ${path}: its ${what} is too short for ${length} values`);
  // Null columns have no buffers, and a union's validity is its children's.
  const hasBitmap = type.typeId !== Type.Null && type.typeId !== Type.Union;
  if (hasBitmap && data.nullCount > 0 && (data.nullBitmap?.length ?? 0) * 8 < data.offset + length) throw short('validity bitmap');
  const values = data.values as ArrayLike<unknown> | undefined;
  const offsets = data.valueOffsets as ArrayLike<number | bigint> | undefined;
  const lastOffset = () => {
    if (!offsets || offsets.length < length + 1) throw short('offsets buffer');
    return Number(offsets[length]!);
  };
  switch (type.typeId) {
    case Type.Null: return;
    case Type.Bool:
      if ((values?.length ?? 0) * 8 < data.offset + length) throw short('data buffer');
      return;
    case Type.Utf8: case Type.Binary: case Type.LargeUtf8: case Type.LargeBinary:
      if (lastOffset() > (values?.length ?? 0)) throw short('data buffer');
      return;
    case Type.List: case Type.LargeList: case Type.Map:
      if (lastOffset() > data.children[0]!.length) throw short('child array');
      break;
    case Type.FixedSizeList:
      if (data.children[0]!.length < length * (type as unknown as { listSize: number }).listSize) throw short('child array');
      break;
    case Type.Struct:
      if (data.children.some((c) => c.length < length)) throw short('child array');
      break;
    case Type.Union:
      if ((data.typeIds?.length ?? 0) < length) throw short('type ids buffer');
      if ((type as unknown as { mode: UnionMode }).mode === UnionMode.Dense && (offsets?.length ?? 0) < length) throw short('offsets buffer');
      break;
    case Type.Dictionary: {
      if ((values?.length ?? 0) < length) throw short('indices buffer');
      const size = data.dictionary?.length ?? 0;
      const indices = values as ArrayLike<number | bigint>;
      for (let i = 0; i < length; i++) {
        const index = Number(indices[i]!);
        if ((index < 0 || index >= size) && data.getValid(i)) throw new IpcFormatError(`column ${path}: index ${index} is outside its dictionary of ${size} values`);
      }
      return;
    }
    default:
      if ((values?.length ?? 0) < length * data.stride) throw short('data buffer');
      return;
  }
  (type.children as Field[]).forEach((f, i) => checkData(data.children[i]!, `${path}.${f.name}`));
}

/** The frames of one record batch: its dictionaries as replacements, then the batch. */
export function encodeBatch(batch: RecordBatch): IpcFrame[] {
  const frames: IpcFrame[] = [];
  for (const [id, dictionary] of batch.dictionaries) {
    dictionary.data.forEach((chunk, i) => {
      const { header, body } = encodeBody(new Vector([chunk]), chunk.length);
      frames.push({ header: Message.encode(Message.from(new DictionaryBatch(header, id, i > 0), body.byteLength)), body });
    });
  }
  const { header, body } = encodeBody(batch, batch.numRows);
  frames.push({ header: Message.encode(Message.from(header, body.byteLength)), body });
  return frames;
}

function encodeBody(data: RecordBatch | Vector, length: number): { header: RecordBatchHeader; body: Uint8Array } {
  const assembled = VectorAssembler.assemble(data);
  const body = new Uint8Array(assembled.byteLength);
  assembled.buffers.forEach((buffer, i) => {
    const region = assembled.bufferRegions[i]!;
    // Regions are padded to 8 bytes; the buffer itself may be shorter.
    body.set(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), Number(region.offset));
  });
  const header = new RecordBatchHeader(length, assembled.nodes, assembled.bufferRegions, null, assembled.variadicBufferCounts);
  return { header, body };
}
