// Structural checks of a record or dictionary batch against the stream's schema, before its
// bytes are stored: the right number of field nodes, and every buffer inside the body. A batch
// that fails here would otherwise be kept verbatim and break every later reader.
import type { Schema } from 'apache-arrow';
import { nodeCount, type MessageInfo } from '../arrow/ipc-message.ts';
import { invalidArgument } from '../errors.ts';

export function validateBatchLayout(schema: Schema, info: MessageInfo, body: Uint8Array, index: number): void {
  if (info.kind === 'schema') throw invalidArgument(`malformed Arrow IPC: message ${index} is a schema where a batch belongs`);
  let expectedNodes: number;
  let what: string;
  if (info.kind === 'recordBatch') {
    expectedNodes = schema.fields.reduce((n, f) => n + nodeCount(f.type), 0);
    what = `record batch ${index}`;
  } else {
    const valueType = schema.dictionaries.get(info.id);
    if (!valueType) throw invalidArgument(`malformed Arrow IPC: dictionary batch ${index} has id ${info.id}, which no column of the schema uses`);
    expectedNodes = nodeCount(valueType);
    what = `dictionary batch ${index} (id ${info.id})`;
  }
  const { layout } = info;
  if (layout.length < 0) throw invalidArgument(`malformed Arrow IPC: ${what} has a negative length`);
  if (layout.nodes.length !== expectedNodes) {
    throw invalidArgument(`malformed Arrow IPC: ${what} has ${layout.nodes.length} field nodes where the schema needs ${expectedNodes}`);
  }
  for (const node of layout.nodes) {
    if (node.length < 0 || node.nullCount < 0 || node.nullCount > node.length) {
      throw invalidArgument(`malformed Arrow IPC: ${what} has a field node with length ${node.length} and null count ${node.nullCount}`);
    }
  }
  for (const b of layout.buffers) {
    if (b.offset < 0 || b.length < 0 || b.offset + b.length > body.byteLength) {
      throw invalidArgument(`malformed Arrow IPC: ${what} has a buffer at ${b.offset}+${b.length} outside its ${body.byteLength}-byte body`);
    }
  }
}
