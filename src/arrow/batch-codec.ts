// IPC frames <-> arrow-js RecordBatches, one message at a time. arrow-js's own stream reader
// pulls bytes and may wait for more than one message; a DoExchange must answer each batch as it
// arrives, so this decodes every message on its own (dictionaries carried from one to the next)
// and encodes each answer into the frames of exactly one record batch.
import { Message, MessageHeader, RecordBatch, Schema, Struct, Vector, makeData, type Data } from 'apache-arrow';
import { DictionaryBatch, RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import { VectorAssembler } from 'apache-arrow/visitor/vectorassembler';
import { VectorLoader } from 'apache-arrow/visitor/vectorloader';
import type { IpcFrame } from './ipc-framing.ts';
import { IpcFormatError } from './ipc-message.ts';

const aligned = (bytes: Uint8Array) => (bytes.byteOffset % 8 === 0 ? bytes : new Uint8Array(bytes));

export class BatchDecoder {
  private readonly dictionaries = new Map<number, Vector>();

  constructor(readonly schema: Schema) {}

  /** The record batch a frame holds, or null for a dictionary batch (kept for later batches). */
  decode(frame: IpcFrame): RecordBatch | null {
    const message = Message.decode(aligned(frame.header));
    const body = aligned(frame.body);
    if (message.headerType === MessageHeader.DictionaryBatch) {
      const header = message.header() as unknown as DictionaryBatch;
      const type = this.schema.dictionaries.get(Number(header.id));
      if (!type) throw new IpcFormatError(`dictionary batch for id ${header.id}, which no column of the schema uses`);
      refuseCompressed(header.data);
      const [data] = this.load(header.data, body, [type]);
      const previous = this.dictionaries.get(Number(header.id));
      const vector = previous && header.isDelta ? previous.concat(new Vector([data!])) : new Vector([data!]);
      this.dictionaries.set(Number(header.id), vector.memoize());
      return null;
    }
    if (message.headerType !== MessageHeader.RecordBatch) throw new IpcFormatError(`expected a record or dictionary batch, got a ${MessageHeader[message.headerType] ?? message.headerType} message`);
    const header = message.header() as unknown as RecordBatchHeader;
    refuseCompressed(header);
    for (const id of this.schema.dictionaries.keys()) {
      if (!this.dictionaries.has(id)) throw new IpcFormatError(`record batch before the dictionary batch of dictionary id ${id}`);
    }
    const children = this.load(header, body, this.schema.fields.map((f) => f.type));
    return new RecordBatch(this.schema, makeData({ type: new Struct(this.schema.fields), length: Number(header.length), children }));
  }

  private load(header: RecordBatchHeader, body: Uint8Array, types: Schema['fields'][number]['type'][]): Data[] {
    return new VectorLoader(body, header.nodes, header.buffers, this.dictionaries, this.schema.metadataVersion, header.variadicBufferCounts).visitMany(types);
  }
}

function refuseCompressed(header: RecordBatchHeader): void {
  if (header.compression != null) throw new CompressedBodyError();
}

/** arrow-js decompresses only with codecs registered by the application; this server has none. */
export class CompressedBodyError extends Error {
  constructor() {
    super('the batch has a compressed body');
  }
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
