// Arrow's newer layouts that arrow-js 21 does not know: list_view, large_list_view and
// run_end_encoded (arrow-js reads string_view and binary_view itself). quiver never decodes
// their values: it stores and serves batches as the client sent them, after the validator
// (src/arrow/validate) has checked them. What the server does need is their schema, so this
// module decodes schemas holding them into arrow-js Schemas with stand-in DataTypes below,
// and teaches arrow-js's schema encoder (a singleton, patched on import) to write them back,
// so that projections and lookup answers of such tables keep their types.
import { DataType, Dictionary, Field, FixedSizeList, Int, Int32, LargeList, List, Map_, Schema, Struct, Union } from 'apache-arrow';
import { Field as FbField } from 'apache-arrow/fb/field';
import { FixedSizeList as FbFixedSizeList } from 'apache-arrow/fb/fixed-size-list';
import { LargeListView as FbLargeListView } from 'apache-arrow/fb/large-list-view';
import { ListView as FbListView } from 'apache-arrow/fb/list-view';
import { Map as FbMap } from 'apache-arrow/fb/map';
import { Message as FbMessage } from 'apache-arrow/fb/message';
import { RunEndEncoded as FbRunEndEncoded } from 'apache-arrow/fb/run-end-encoded';
import { Schema as FbSchema } from 'apache-arrow/fb/schema';
import { Union as FbUnion } from 'apache-arrow/fb/union';
import { instance as typeAssembler } from 'apache-arrow/visitor/typeassembler';
import * as flatbuffers from 'flatbuffers';

/** Schema.fbs Type values of the layouts arrow-js lacks. */
export const RUN_END_ENCODED = 22;
export const LIST_VIEW = 25;
export const LARGE_LIST_VIEW = 26;
const NEWER = new Set([RUN_END_ENCODED, LIST_VIEW, LARGE_LIST_VIEW]);

abstract class StandIn extends DataType {
  declare readonly children: Field[];
  constructor(typeId: number, children: Field[]) {
    super(typeId as never);
    (this as { children: Field[] }).children = children;
  }
}

export class ListView extends StandIn {
  constructor(child: Field) { super(LIST_VIEW, [child]); }
  override toString() { return `ListView<${this.children[0]!.type}>`; }
}

export class LargeListView extends StandIn {
  constructor(child: Field) { super(LARGE_LIST_VIEW, [child]); }
  override toString() { return `LargeListView<${this.children[0]!.type}>`; }
}

export class RunEndEncoded extends StandIn {
  constructor(runEnds: Field, values: Field) { super(RUN_END_ENCODED, [runEnds, values]); }
  override toString() { return `RunEndEncoded<${this.children[0]!.type}, ${this.children[1]!.type}>`; }
}

/** Whether a type, or one nested in it (dictionary values included), is one of the stand-ins. */
export function hasNewerLayout(type: DataType): boolean {
  if (NEWER.has(type.typeId)) return true;
  if (DataType.isDictionary(type)) return hasNewerLayout(type.dictionary);
  return (type.children ?? []).some((c: Field) => hasNewerLayout(c.type));
}

const fbHasNewer = (f: FbField): boolean => {
  if (NEWER.has(f.typeType())) return true;
  for (let i = 0; i < f.childrenLength(); i++) if (fbHasNewer(f.children(i)!)) return true;
  return false;
};

type Dictionaries = Map<number, DataType>;
const arrowField = Field as unknown as { decode(f: FbField, d: Dictionaries): Field };

function metadataOf(parent: { customMetadataLength(): number; customMetadata(i: number): { key(): string | null; value(): string | null } | null }): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < parent.customMetadataLength(); i++) {
    const kv = parent.customMetadata(i);
    const key = kv?.key();
    if (kv && key != null) out.set(key, kv.value() ?? '');
  }
  return out;
}

/** A field whose subtree holds a newer layout; others go through arrow-js's own decoder. */
function decodeField(f: FbField, dictionaries: Dictionaries): Field {
  if (!fbHasNewer(f)) return arrowField.decode(f, dictionaries);
  const children: Field[] = [];
  for (let i = 0; i < f.childrenLength(); i++) children.push(decodeField(f.children(i)!, dictionaries));
  let type = typeOf(f, children);
  const encoding = f.dictionary();
  if (encoding) {
    const id = Number(encoding.id());
    const index = encoding.indexType();
    if (!dictionaries.has(id)) dictionaries.set(id, type);
    type = new Dictionary(dictionaries.get(id)!, (index ? new Int(index.isSigned() as true, index.bitWidth() as 32) : new Int32()) as Int32, id, encoding.isOrdered());
  }
  return new Field(f.name() ?? '', type, f.nullable(), metadataOf(f));
}

/** The container types that can hold a newer layout, rebuilt around already decoded children. */
function typeOf(f: FbField, children: Field[]): DataType {
  const need = (n: number) => {
    if (children.length !== n) throw new Error(`a ${f.typeType()} field needs ${n} children, it has ${children.length}`);
  };
  switch (f.typeType()) {
    case LIST_VIEW: need(1); return new ListView(children[0]!);
    case LARGE_LIST_VIEW: need(1); return new LargeListView(children[0]!);
    case RUN_END_ENCODED: need(2); return new RunEndEncoded(children[0]!, children[1]!);
    case 12: need(1); return new List(children[0]!);
    case 21: need(1); return new LargeList(children[0]!);
    case 13: return new Struct(children);
    case 16: need(1); return new FixedSizeList(f.type(new FbFixedSizeList())!.listSize(), children[0]!);
    case 17: need(1); return new Map_(children[0]! as Field<Struct>, f.type(new FbMap())!.keysSorted());
    case 14: {
      const u = f.type(new FbUnion())!;
      const ids = u.typeIdsArray();
      return new Union(u.mode() as never, ids ? Array.from(ids) : children.map((_, i) => i), children);
    }
    default: throw new Error(`type ${f.typeType()} cannot hold children`);
  }
}

/**
 * The Schema of a Schema message holding newer layouts (null when it holds none: arrow-js
 * reads those). The header must have passed verifyMessage.
 */
export function decodeNewerSchema(header: Uint8Array): Schema | null {
  const message = FbMessage.getRootAsMessage(new flatbuffers.ByteBuffer(header));
  const fb = message.header(new FbSchema()) as FbSchema | null;
  if (!fb) return null;
  let newer = false;
  for (let i = 0; i < fb.fieldsLength(); i++) newer ||= fbHasNewer(fb.fields(i)!);
  if (!newer) return null;
  const dictionaries: Dictionaries = new Map();
  const fields: Field[] = [];
  for (let i = 0; i < fb.fieldsLength(); i++) fields.push(decodeField(fb.fields(i)!, dictionaries));
  return new Schema(fields, metadataOf(fb), dictionaries, message.version() as never);
}

// arrow-js's schema encoder asks this visitor for each field's type table; for the stand-ins it
// finds no visit method and throws. Their type tables have no fields.
const visit = typeAssembler.visit.bind(typeAssembler);
(typeAssembler as { visit: (node: unknown, builder: flatbuffers.Builder) => unknown }).visit = (node, builder) => {
  if (node instanceof ListView) { FbListView.startListView(builder); return FbListView.endListView(builder); }
  if (node instanceof LargeListView) { FbLargeListView.startLargeListView(builder); return FbLargeListView.endLargeListView(builder); }
  if (node instanceof RunEndEncoded) { FbRunEndEncoded.startRunEndEncoded(builder); return FbRunEndEncoded.endRunEndEncoded(builder); }
  return visit(node as never, builder);
};
