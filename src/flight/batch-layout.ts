// Structural checks of a record or dictionary batch against the stream's schema, before its
// bytes are stored: the right number of field nodes, and every buffer inside the body. A batch
// that fails here would otherwise be kept verbatim and break every later reader.
import { Message, MessageHeader, type Schema } from 'apache-arrow';
import { nodeCount } from '../arrow/ipc-message.ts';
import { invalidArgument } from '../errors.ts';

interface BatchHeader {
  length: number | bigint;
  nodes: { length: number | bigint; nullCount: number | bigint }[];
  buffers: { offset: number | bigint; length: number | bigint }[];
}

export function validateBatchLayout(schema: Schema, header: Uint8Array, body: Uint8Array, index: number): void {
  const message = Message.decode(header);
  let batch: BatchHeader;
  let expectedNodes: number;
  let what: string;
  if (message.headerType === MessageHeader.RecordBatch) {
    batch = message.header() as unknown as BatchHeader;
    expectedNodes = schema.fields.reduce((n, f) => n + nodeCount(f.type), 0);
    what = `record batch ${index}`;
  } else if (message.headerType === MessageHeader.DictionaryBatch) {
    const dict = message.header() as unknown as { id: number | bigint; data: BatchHeader };
    const id = Number(dict.id);
    const valueType = schema.dictionaries.get(id);
    if (!valueType) throw invalidArgument(`malformed Arrow IPC: dictionary batch ${index} has id ${id}, which no column of the schema uses`);
    batch = dict.data;
    expectedNodes = nodeCount(valueType);
    what = `dictionary batch ${index} (id ${id})`;
  } else {
    throw invalidArgument(`malformed Arrow IPC: message ${index} is neither a record batch nor a dictionary batch`);
  }
  if (Number(batch.length) < 0) throw invalidArgument(`malformed Arrow IPC: ${what} has a negative length`);
  if (batch.nodes.length !== expectedNodes) {
    throw invalidArgument(`malformed Arrow IPC: ${what} has ${batch.nodes.length} field nodes where the schema needs ${expectedNodes}`);
  }
  for (const node of batch.nodes) {
    if (Number(node.length) < 0 || Number(node.nullCount) < 0 || Number(node.nullCount) > Number(node.length)) {
      throw invalidArgument(`malformed Arrow IPC: ${what} has a field node with length ${node.length} and null count ${node.nullCount}`);
    }
  }
  for (const b of batch.buffers) {
    const offset = Number(b.offset);
    const length = Number(b.length);
    if (offset < 0 || length < 0 || offset + length > body.byteLength) {
      throw invalidArgument(`malformed Arrow IPC: ${what} has a buffer at ${offset}+${length} outside its ${body.byteLength}-byte body`);
    }
  }
}
