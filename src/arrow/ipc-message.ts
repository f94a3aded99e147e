// What the server needs to know about an IPC message without decoding its body: its kind,
// row count, whether its body is compressed, per-column sizes, and (for schemas) the schema.
import { DataType, Message, MessageHeader, Schema, Type, UnionMode, type Field } from 'apache-arrow';
import { DictionaryBatch } from 'apache-arrow/ipc/metadata/message';
import * as flatbuffers from 'flatbuffers';
import { QuiverError, invalidArgument } from '../errors.ts';
import { Message as FbMessage } from 'apache-arrow/fb/message';
import { Schema as FbSchema } from 'apache-arrow/fb/schema';
import { Field as FbField } from 'apache-arrow/fb/field';
import { Type as FbType } from 'apache-arrow/fb/type';
import { FlatbufferError } from './validate/flatbuffer-reader.ts';
import { verifyMessage } from './validate/message-structure.ts';
import { checkSchema } from './validate/schema-rules.ts';
import { InvalidArrayError } from './validate/buffer-views.ts';
import { LARGE_LIST_VIEW, LIST_VIEW, RUN_END_ENCODED, decodeNewerSchema } from './newer-layouts.ts';

export interface BatchLayout {
  length: number;
  nodes: { length: number; nullCount: number }[];
  buffers: { offset: number; length: number }[];
  /** Data buffers of each string_view / binary_view array, in field pre-order. */
  variadicBufferCounts: number[];
}

export type MessageInfo =
  | { kind: 'schema'; schema: Schema }
  | { kind: 'recordBatch'; rows: number; compressed: boolean; bodyLength: number; layout: BatchLayout }
  | { kind: 'dictionaryBatch'; id: number; isDelta: boolean; compressed: boolean; bodyLength: number; layout: BatchLayout };

export class IpcFormatError extends Error {}

/** arrow-js reads flatbuffer tables through typed arrays, so the header must be 8-byte aligned. */
function aligned(header: Uint8Array): Uint8Array {
  return header.byteOffset % 8 === 0 ? header : new Uint8Array(header);
}

function layoutOf(rb: { length: number | bigint; nodes: { length: number | bigint; nullCount: number | bigint }[]; buffers: { offset: number | bigint; length: number | bigint }[]; variadicBufferCounts?: (number | bigint)[] }): BatchLayout {
  return {
    length: Number(rb.length),
    nodes: rb.nodes.map((n) => ({ length: Number(n.length), nullCount: Number(n.nullCount) })),
    buffers: rb.buffers.map((b) => ({ offset: Number(b.offset), length: Number(b.length) })),
    variadicBufferCounts: (rb.variadicBufferCounts ?? []).map(Number),
  };
}

/**
 * What a message header says. The flatbuffer is verified first (offsets inside the buffer, a
 * metadata version this server reads), so arrow-js's unchecked reader never follows a bad one.
 */
export function inspectMessage(header: Uint8Array): MessageInfo {
  const bytes = aligned(header);
  try {
    verifyMessage(bytes);
  } catch (e) {
    if (e instanceof FlatbufferError) throw new IpcFormatError(e.message);
    throw e;
  }
  let message: Message;
  try {
    message = Message.decode(bytes);
  } catch (e) {
    throw new IpcFormatError(`not an Arrow IPC message header (${e instanceof Error ? e.message : e})`);
  }
  try {
    switch (message.headerType) {
      case MessageHeader.Schema:
        return { kind: 'schema', schema: checkedSchema(message.header() as Schema) };
      case MessageHeader.RecordBatch: {
        const rb = message.header() as unknown as Parameters<typeof layoutOf>[0] & { compression: unknown };
        return { kind: 'recordBatch', rows: Number(rb.length), compressed: rb.compression != null, bodyLength: message.bodyLength, layout: layoutOf(rb) };
      }
      case MessageHeader.DictionaryBatch: {
        const db = message.header() as unknown as { id: number; isDelta: boolean; data: Parameters<typeof layoutOf>[0] & { compression: unknown } };
        return { kind: 'dictionaryBatch', id: Number(db.id), isDelta: db.isDelta, compressed: db.data.compression != null, bodyLength: message.bodyLength, layout: layoutOf(db.data) };
      }
      default:
        throw new IpcFormatError(`unsupported IPC message type ${MessageHeader[message.headerType] ?? message.headerType}`);
    }
  } catch (e) {
    if (e instanceof IpcFormatError || e instanceof QuiverError) throw e;
    if (message.headerType === MessageHeader.Schema) {
      let newer: Schema | null = null;
      try {
        newer = decodeNewerSchema(bytes);
      } catch (inner) {
        throw new IpcFormatError(`cannot read the schema (${inner instanceof Error ? inner.message : inner})`);
      }
      if (newer) return { kind: 'schema', schema: checkedSchema(newer) };
    }
    const unreadable = message.headerType === MessageHeader.Schema ? unreadableColumn(bytes) : null;
    if (unreadable) throw invalidArgument(`column ${unreadable.path} has type ${unreadable.type}, which this server cannot store yet; cast it to a supported type (e.g. a plain list or string) before sending`);
    throw new IpcFormatError(`cannot read IPC message header (${e instanceof Error ? e.message : e})`);
  }
}

/** The schema, once its types follow Arrow's rules (children each type needs, decimal precision...). */
function checkedSchema(schema: Schema): Schema {
  try {
    checkSchema(schema);
  } catch (e) {
    if (e instanceof InvalidArrayError) throw new IpcFormatError(`the schema's ${e.message}`);
    throw e;
  }
  return schema;
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

/** The same DictionaryBatch message with another dictionary id. */
export function withDictionaryId(header: Uint8Array, id: number): Uint8Array {
  const message = Message.decode(aligned(header));
  if (message.headerType !== MessageHeader.DictionaryBatch) throw new IpcFormatError('not a dictionary batch');
  const db = message.header() as unknown as DictionaryBatch;
  return Message.encode(Message.from(new DictionaryBatch(db.data, id, db.isDelta), message.bodyLength));
}

// The types no schema reader here decodes (none today: newer-layouts.ts reads those arrow-js
// lacks); named so that a future one's error names the column.
const UNREADABLE = new Set<number>([]);

function unreadableColumn(header: Uint8Array): { path: string; type: string } | null {
  try {
    const msg = FbMessage.getRootAsMessage(new flatbuffers.ByteBuffer(header));
    const schema = msg.header(new FbSchema()) as FbSchema | null;
    if (!schema) return null;
    const visit = (field: FbField, prefix: string): { path: string; type: string } | null => {
      const path = prefix ? `${prefix}.${field.name() ?? ''}` : (field.name() ?? '');
      if (UNREADABLE.has(field.typeType())) return { path, type: snakeCase(FbType[field.typeType()] ?? String(field.typeType())) };
      for (let i = 0; i < field.childrenLength(); i++) {
        const found = visit(field.children(i)!, path);
        if (found) return found;
      }
      return null;
    };
    for (let i = 0; i < schema.fieldsLength(); i++) {
      const found = visit(schema.fields(i)!, '');
      if (found) return found;
    }
  } catch {
    // Not even the raw flatbuffer reads: the caller reports the decoder's own error.
  }
  return null;
}

/** Arrow's own spelling of type names in messages: RunEndEncoded -> run_end_encoded. */
const snakeCase = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** Field nodes a column of this type contributes to a record batch (its own and its children's). */
export function nodeCount(type: DataType): number {
  // A dictionary column is one node of indices; its values arrive in dictionary batches.
  if (DataType.isDictionary(type)) return 1;
  return 1 + (type.children ?? []).reduce((n: number, c: Field) => n + nodeCount(c.type), 0);
}

/**
 * Buffers a column of this type contributes to a record batch (its own and its children's).
 * A string_view or binary_view array adds as many data buffers as the batch's next variadic
 * buffer count says: `variadic` is the batch's list and `at` where this column's counts start.
 */
export function bufferCount(type: DataType, variadic: readonly number[] = [], at = { next: 0 }): number {
  let own: number;
  switch (type.typeId as number) {
    case Type.Null: case RUN_END_ENCODED: own = 0; break;
    case Type.Utf8View: case Type.BinaryView: own = 2 + (variadic[at.next++] ?? 0); break;
    case LIST_VIEW: case LARGE_LIST_VIEW: own = 3; break;
    case Type.Utf8: case Type.Binary: case Type.LargeUtf8: case Type.LargeBinary: own = 3; break;
    case Type.List: case Type.LargeList: case Type.Map: own = 2; break;
    case Type.FixedSizeList: case Type.Struct: own = 1; break;
    case Type.Union: own = (type as unknown as { mode: UnionMode }).mode === UnionMode.Dense ? 2 : 1; break;
    case Type.Dictionary: return 2;
    default: own = 2;
  }
  return own + (type.children ?? []).reduce((n: number, c: Field) => n + bufferCount(c.type, variadic, at), 0);
}

/** How many variadic buffer counts a column of this type takes (its view arrays, nested included). */
export function variadicCount(type: DataType): number {
  if (DataType.isDictionary(type)) return 0;
  const own = type.typeId === Type.Utf8View || type.typeId === Type.BinaryView ? 1 : 0;
  return own + (type.children ?? []).reduce((n: number, c: Field) => n + variadicCount(c.type), 0);
}

/** Body bytes of each top-level column in a record batch, in schema order. */
export function columnBytes(schema: Schema, layout: BatchLayout): number[] {
  const out: number[] = [];
  let next = 0;
  const at = { next: 0 };
  for (const f of schema.fields) {
    const n = bufferCount(f.type, layout.variadicBufferCounts, at);
    out.push(layout.buffers.slice(next, next + n).reduce((sum, b) => sum + b.length, 0));
    next += n;
  }
  return out;
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

/** Dictionary ids a column uses, its nested dictionaries included. */
export function dictionaryIdsOf(field: Field): number[] {
  const type: DataType = field.type;
  if (DataType.isDictionary(type)) return [type.id, ...(type.dictionary.children ?? []).flatMap(dictionaryIdsOf)];
  return (type.children ?? []).flatMap(dictionaryIdsOf);
}
