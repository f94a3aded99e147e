// Structural verification of an IPC Message flatbuffer (Message.fbs, Schema.fbs) before any
// decoder reads it: every table, vector and string inside the buffer, union tags among the
// known ones, the metadata version one this server reads. What the fields mean is checked
// later (schema-rules.ts, batch-validator.ts); this only makes reading them safe.
import { isUtf8 } from 'node:buffer';
import { FlatbufferReader, MAX_DEPTH, type FbTable } from './flatbuffer-reader.ts';

// Message.fbs MetadataVersion: V4 (Arrow 0.8) and V5 (Arrow 1.0) are what Arrow C++ reads too.
const METADATA_V4 = 3;
const METADATA_V5 = 4;
export const HEADER_SCHEMA = 1;
export const HEADER_DICTIONARY_BATCH = 2;
export const HEADER_RECORD_BATCH = 3;

/** The scalar fields ([slot, bytes]) and string/vector fields of each Schema.fbs type table. */
const TYPE_TABLES: Record<number, { scalars?: [number, number][]; string?: number; intVector?: number }> = {
  1: {}, 2: { scalars: [[0, 4], [1, 1]] }, 3: { scalars: [[0, 2]] }, 4: {}, 5: {}, 6: {},
  7: { scalars: [[0, 4], [1, 4], [2, 4]] }, 8: { scalars: [[0, 2]] }, 9: { scalars: [[0, 2], [1, 4]] },
  10: { scalars: [[0, 2]], string: 1 }, 11: { scalars: [[0, 2]] }, 12: {}, 13: {},
  14: { scalars: [[0, 2]], intVector: 1 }, 15: { scalars: [[0, 4]] }, 16: { scalars: [[0, 4]] },
  17: { scalars: [[0, 1]] }, 18: { scalars: [[0, 2]] }, 19: {}, 20: {}, 21: {}, 22: {}, 23: {}, 24: {}, 25: {}, 26: {},
};

export interface MessageShape {
  version: number;
  headerType: number;
}

/** Verifies the whole Message; throws FlatbufferError naming what is out of place. */
export function verifyMessage(header: Uint8Array): MessageShape {
  const fb: FlatbufferReader = new FlatbufferReader(header, 'IPC message header');
  if (header.byteLength < 8) fb.fail(`${header.byteLength} bytes are too short for a message`);
  const message = fb.root();
  const version = fb.i16(message, 0);
  if (version !== METADATA_V4 && version !== METADATA_V5) fb.fail(`metadata version ${version + 1} is not one this server reads (V4 or V5)`);
  const headerType = fb.u8(message, 1);
  fb.field(message, 3, 8);
  keyValues(fb, message, 4, 'message custom_metadata');
  const body = fb.subtable(message, 2, 'message header');
  if (!body) fb.fail('the message has no header');
  switch (headerType) {
    case HEADER_SCHEMA: schema(fb, body); break;
    case HEADER_RECORD_BATCH: recordBatch(fb, body); break;
    case HEADER_DICTIONARY_BATCH: {
      fb.field(body, 0, 8);
      fb.field(body, 2, 1);
      const data = fb.subtable(body, 1, 'dictionary batch data');
      if (!data) fb.fail('a dictionary batch without data');
      recordBatch(fb, data);
      break;
    }
    case 4: case 5: fb.fail('tensor messages are not Arrow record batch streams');
    // eslint-disable-next-line no-fallthrough
    default: fb.fail(`unknown message header type ${headerType}`);
  }
  return { version, headerType };
}

function keyValues(fb: FlatbufferReader, t: FbTable, slot: number, what: string): void {
  for (const kv of fb.tableVector(t, slot, what)) {
    fb.string(kv, 0, `${what} key`);
    fb.string(kv, 1, `${what} value`);
  }
}

function schema(fb: FlatbufferReader, t: FbTable): void {
  // quiver stores and serves bytes as sent; every reader it knows of is little-endian.
  if (fb.i16(t, 0) !== 0) fb.fail('the schema is big-endian; send little-endian data');
  for (const f of fb.tableVector(t, 1, 'schema fields')) field(fb, f, 1);
  keyValues(fb, t, 2, 'schema custom_metadata');
  fb.vector(t, 3, 8, 'schema features');
}

function field(fb: FlatbufferReader, t: FbTable, depth: number): void {
  if (depth > MAX_DEPTH) fb.fail(`fields nested more than ${MAX_DEPTH} deep`);
  // Readers turn names into their language's strings (pyarrow fails on bad UTF-8).
  if (!isUtf8(fb.string(t, 0, 'field name'))) fb.fail('a field name is not valid UTF-8');
  fb.field(t, 1, 1);
  const typeType = fb.u8(t, 2);
  const spec = TYPE_TABLES[typeType];
  if (!spec) fb.fail(`a field of unknown type ${typeType}`);
  const type = fb.subtable(t, 3, 'field type');
  if (!type) fb.fail('a field without its type table');
  for (const [slot, size] of spec.scalars ?? []) fb.field(type, slot, size);
  if (spec.string !== undefined) fb.string(type, spec.string, 'timezone');
  if (spec.intVector !== undefined) fb.vector(type, spec.intVector, 4, 'union typeIds');
  const dictionary = fb.subtable(t, 4, 'dictionary encoding');
  if (dictionary) {
    fb.field(dictionary, 0, 8);
    fb.field(dictionary, 2, 1);
    fb.field(dictionary, 3, 2);
    const index = fb.subtable(dictionary, 1, 'dictionary index type');
    if (index) { fb.field(index, 0, 4); fb.field(index, 1, 1); }
  }
  for (const child of fb.tableVector(t, 5, 'field children')) field(fb, child, depth + 1);
  keyValues(fb, t, 6, 'field custom_metadata');
}

function recordBatch(fb: FlatbufferReader, t: FbTable): void {
  fb.field(t, 0, 8);
  fb.vector(t, 1, 16, 'record batch nodes');
  fb.vector(t, 2, 16, 'record batch buffers');
  const compression = fb.subtable(t, 3, 'body compression');
  if (compression) {
    const codec = fb.u8(compression, 0);
    const method = fb.u8(compression, 1);
    if (codec > 1) fb.fail(`unknown body compression codec ${codec}`);
    if (method !== 0) fb.fail(`unknown body compression method ${method}`);
  }
  fb.vector(t, 4, 8, 'variadic buffer counts');
}
