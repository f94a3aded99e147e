// Whether a stream's schema can be appended to a table: the same columns in the same order
// with the same types and nullability. Metadata may differ (the table keeps the metadata it was
// created with), and so may dictionary ids, which every writer numbers its own way: appended
// dictionary batches are renumbered to the table's ids (dictionaryIdMapping).
import { DataType, type Field, type Schema } from 'apache-arrow';

export function schemaMismatch(table: Schema, incoming: Schema): string | null {
  if (table.fields.length !== incoming.fields.length) {
    return `the table has ${table.fields.length} columns (${names(table.fields)}) and the stream has ${incoming.fields.length} (${names(incoming.fields)})`;
  }
  for (let i = 0; i < table.fields.length; i++) {
    const reason = fieldMismatch(table.fields[i]!, incoming.fields[i]!, table.fields[i]!.name);
    if (reason) return reason;
  }
  return null;
}

const names = (fields: Field[]) => fields.map((f) => f.name).join(', ');

function fieldMismatch(a: Field, b: Field, path: string): string | null {
  if (a.name !== b.name) return `column ${path}: the stream names it ${JSON.stringify(b.name)}`;
  if (a.nullable !== b.nullable) return `column ${path} is ${a.nullable ? 'nullable' : 'not nullable'} in the table and ${b.nullable ? 'nullable' : 'not nullable'} in the stream`;
  const ta = describeType(a.type);
  const tb = describeType(b.type);
  if (ta !== tb) return `column ${path} has type ${a.type} in the table and ${b.type} in the stream`;
  const ca = a.type.children ?? [];
  const cb = b.type.children ?? [];
  for (let i = 0; i < ca.length; i++) {
    const reason = fieldMismatch(ca[i]!, cb[i]!, `${path}.${ca[i]!.name}`);
    if (reason) return reason;
  }
  return null;
}

/** The type's own parameters (not its children), as a comparable string. */
function describeType(type: DataType): string {
  const params: Record<string, unknown> = { typeId: type.typeId };
  for (const [key, value] of Object.entries(type)) {
    if (key === 'id' && DataType.isDictionary(type)) continue;
    if (key === 'children') params.children = (value as Field[]).length;
    else if (value instanceof DataType) params[key] = describeType(value);
    else if (Array.isArray(value) || ArrayBuffer.isView(value)) params[key] = Array.from(value as ArrayLike<unknown>);
    else params[key] = value;
  }
  return JSON.stringify(params, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Incoming dictionary id -> the table's id for the same column, for schemas that match. */
export function dictionaryIdMapping(table: Schema, incoming: Schema): Map<number, number> {
  const out = new Map<number, number>();
  const visit = (a: Field, b: Field) => {
    if (DataType.isDictionary(a.type) && DataType.isDictionary(b.type)) {
      out.set(b.type.id, a.type.id);
      const ca = a.type.dictionary.children ?? [];
      const cb = b.type.dictionary.children ?? [];
      ca.forEach((c: Field, i: number) => visit(c, cb[i]!));
      return;
    }
    const ca = a.type.children ?? [];
    const cb = b.type.children ?? [];
    ca.forEach((c: Field, i: number) => visit(c, cb[i]!));
  };
  table.fields.forEach((f, i) => visit(f, incoming.fields[i]!));
  return out;
}
