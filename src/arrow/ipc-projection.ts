// Column projection on encoded IPC messages, without decoding any data: a record batch lists
// its field nodes and buffers column by column, so keeping some columns means keeping their
// runs of nodes and buffers and copying those buffers into a new body. Compressed bodies work
// the same way, since each buffer is compressed on its own.
import { Message, MessageHeader, type Schema } from 'apache-arrow';
import { BufferRegion, FieldNode, RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import { padding8, type IpcFrame } from './ipc-framing.ts';
import { bufferCount, dictionaryIdsOf, nodeCount } from './ipc-message.ts';

export class ColumnProjection {
  private readonly keep: boolean[];
  private readonly dictionaryIds = new Set<number>();

  constructor(private readonly schema: Schema, columns: string[]) {
    const wanted = new Set(columns);
    this.keep = schema.fields.map((f) => wanted.has(f.name));
    schema.fields.forEach((f, i) => {
      if (this.keep[i]) for (const id of dictionaryIdsOf(f)) this.dictionaryIds.add(id);
    });
  }

  /** The frame restricted to the kept columns, or null when nothing of it is needed. */
  apply(frame: IpcFrame): IpcFrame | null {
    const message = Message.decode(frame.header.byteOffset % 8 === 0 ? frame.header : new Uint8Array(frame.header));
    if (message.headerType === MessageHeader.DictionaryBatch) {
      const id = Number((message.header() as unknown as { id: number }).id);
      return this.dictionaryIds.has(id) ? frame : null;
    }
    if (message.headerType !== MessageHeader.RecordBatch) return frame;
    const rb = message.header() as unknown as RecordBatchHeader;
    const nodes: FieldNode[] = [];
    const kept: BufferRegion[] = [];
    const variadic = (rb.variadicBufferCounts ?? []).map(Number);
    const keptVariadic: number[] = [];
    const at = { next: 0 };
    let node = 0;
    let buffer = 0;
    this.schema.fields.forEach((f, i) => {
      const n = nodeCount(f.type);
      const from = at.next;
      // A string_view column's data buffers vary per batch: its variadic counts say how many.
      const b = bufferCount(f.type, variadic, at);
      if (this.keep[i]) {
        nodes.push(...rb.nodes.slice(node, node + n));
        kept.push(...rb.buffers.slice(buffer, buffer + b));
        keptVariadic.push(...variadic.slice(from, at.next));
      }
      node += n;
      buffer += b;
    });
    const regions: BufferRegion[] = [];
    let size = 0;
    for (const b of kept) {
      regions.push(new BufferRegion(size, b.length));
      size += Number(b.length) + padding8(Number(b.length));
    }
    const body = new Uint8Array(size);
    kept.forEach((b, i) => body.set(frame.body.subarray(Number(b.offset), Number(b.offset) + Number(b.length)), regions[i]!.offset));
    const header = new RecordBatchHeader(rb.length, nodes, regions, rb.compression, keptVariadic);
    return { header: Message.encode(Message.from(header, size)), body };
  }
}
