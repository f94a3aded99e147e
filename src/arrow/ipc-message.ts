// What the server needs to know about an IPC message without decoding its body: its kind,
// row count, whether its body is compressed, and (for schemas) the schema itself.
import { DataType, Message, MessageHeader, Schema, type Field } from 'apache-arrow';

export type MessageInfo =
  | { kind: 'schema'; schema: Schema }
  | { kind: 'recordBatch'; rows: number; compressed: boolean; bodyLength: number; nullCounts: number[] }
  | { kind: 'dictionaryBatch'; id: number; isDelta: boolean; compressed: boolean; bodyLength: number };

export class IpcFormatError extends Error {}

export function inspectMessage(header: Uint8Array): MessageInfo {
  let message: Message;
  try {
    message = Message.decode(header);
  } catch (e) {
    throw new IpcFormatError(`not an Arrow IPC message header (${e instanceof Error ? e.message : e})`);
  }
  try {
    switch (message.headerType) {
      case MessageHeader.Schema:
        return { kind: 'schema', schema: message.header() as Schema };
      case MessageHeader.RecordBatch: {
        const rb = message.header() as { length: number; compression: unknown; nodes: { nullCount: number | bigint }[] };
        return {
          kind: 'recordBatch',
          rows: Number(rb.length),
          compressed: rb.compression != null,
          bodyLength: message.bodyLength,
          nullCounts: rb.nodes.map((n) => Number(n.nullCount)),
        };
      }
      case MessageHeader.DictionaryBatch: {
        const db = message.header() as { id: number; isDelta: boolean; data: { compression: unknown } };
        return { kind: 'dictionaryBatch', id: Number(db.id), isDelta: db.isDelta, compressed: db.data.compression != null, bodyLength: message.bodyLength };
      }
      default:
        throw new IpcFormatError(`unsupported IPC message type ${MessageHeader[message.headerType] ?? message.headerType}`);
    }
  } catch (e) {
    if (e instanceof IpcFormatError) throw e;
    throw new IpcFormatError(`cannot read IPC message header (${e instanceof Error ? e.message : e})`);
  }
}

export function decodeSchema(header: Uint8Array): Schema {
  const info = inspectMessage(header);
  if (info.kind !== 'schema') throw new IpcFormatError(`expected a Schema message, got a ${info.kind} message`);
  return info.schema;
}

/** Flatbuffer bytes of a Schema message for `schema` (e.g. a projection of a stored schema). */
export function encodeSchema(schema: Schema): Uint8Array {
  return Message.encode(Message.from(schema));
}

/** Field nodes a column of this type contributes to a record batch (its own and its children's). */
export function nodeCount(type: DataType): number {
  // A dictionary column is one node of indices; its values arrive in dictionary batches.
  if (DataType.isDictionary(type)) return 1;
  return 1 + (type.children ?? []).reduce((n: number, c: Field) => n + nodeCount(c.type), 0);
}

/** Index of each top-level field's FieldNode in a record batch (nodes are in pre-order). */
export function topLevelNodeIndexes(schema: Schema): number[] {
  const out: number[] = [];
  let next = 0;
  for (const f of schema.fields) {
    out.push(next);
    next += nodeCount(f.type);
  }
  return out;
}
