// The rules a schema's types must follow before any batch is read against them, as Arrow C++
// checks them when it builds its types: decimal precision within the bit width, union type
// codes distinct and within 0..127, list sizes and byte widths not negative, the children each
// nested type needs, run ends of a 16, 32 or 64-bit integer type, dictionary indices integers.
import { DataType, Type, type Field, type Schema } from 'apache-arrow';
import { LARGE_LIST_VIEW, LIST_VIEW, RUN_END_ENCODED } from '../newer-layouts.ts';
import { InvalidArrayError } from './buffer-views.ts';

const MAX_PRECISION: Record<number, number> = { 32: 9, 64: 18, 128: 38, 256: 76 };

/** Throws InvalidArrayError naming the first column whose type breaks a rule. */
export function checkSchema(schema: Schema): void {
  for (const f of schema.fields) checkField(f, f.name);
}

function fail(path: string, why: string): never {
  throw new InvalidArrayError(`column ${path}: ${why}`);
}

function checkField(field: Field | undefined, path: string): void {
  // arrow-js builds a list around a missing child (children [undefined]) without complaint.
  if (!field || !(field.type instanceof DataType)) fail(path, 'a child field the schema does not give');
  let type: DataType = field!.type;
  if (DataType.isDictionary(type)) {
    const indices = type.indices as unknown as { bitWidth: number };
    if (![8, 16, 32, 64].includes(indices.bitWidth)) fail(path, `dictionary indices of ${indices.bitWidth} bits`);
    type = type.dictionary;
  }
  const children: Field[] = type.children ?? [];
  const count = (n: number) => {
    if (children.length !== n) fail(path, `type ${type} needs ${n} child field${n === 1 ? '' : 's'}, the schema gives ${children.length}`);
  };
  const t = type as unknown as { bitWidth: number; precision: number; byteWidth: number; listSize: number; typeIds: ArrayLike<number> };
  switch (type.typeId as number) {
    case Type.Int:
      if (![8, 16, 32, 64].includes(t.bitWidth)) fail(path, `an integer of ${t.bitWidth} bits`);
      break;
    case Type.Decimal: {
      const max = MAX_PRECISION[t.bitWidth];
      if (max === undefined) fail(path, `a decimal of ${t.bitWidth} bits`);
      if (!(t.precision >= 1 && t.precision <= max)) fail(path, `decimal precision ${t.precision} is outside 1..${max} for ${t.bitWidth}-bit decimals`);
      break;
    }
    case Type.Time:
      if (![32, 64].includes(t.bitWidth)) fail(path, `a time of ${t.bitWidth} bits`);
      break;
    case Type.FixedSizeBinary:
      if (!(t.byteWidth >= 0)) fail(path, `fixed-size binary of byte width ${t.byteWidth}`);
      break;
    case Type.FixedSizeList:
      count(1);
      if (!(t.listSize >= 0)) fail(path, `fixed-size list of size ${t.listSize}`);
      break;
    case Type.List: case Type.LargeList: case LIST_VIEW: case LARGE_LIST_VIEW:
      count(1);
      break;
    case Type.Map: {
      count(1);
      const entries: DataType = children[0]!.type;
      if (!DataType.isStruct(entries) || entries.children.length !== 2) fail(path, 'a map\'s child must be a struct of key and value');
      if (entries.children[0]!.nullable) fail(path, 'a map\'s keys must not be nullable');
      break;
    }
    case Type.Union: {
      const ids: number[] = Array.from(t.typeIds);
      if (ids.length !== children.length) fail(path, `union has ${ids.length} type codes for ${children.length} children`);
      if (ids.some((id) => !(id >= 0 && id <= 127))) fail(path, 'union type codes must lie in 0..127');
      if (new Set(ids).size !== ids.length) fail(path, 'union type codes must be distinct');
      break;
    }
    case RUN_END_ENCODED: {
      count(2);
      const runEnds: DataType = children[0]!.type;
      if (!DataType.isInt(runEnds) || !runEnds.isSigned || ![16, 32, 64].includes(runEnds.bitWidth)) fail(path, `run ends must be int16, int32 or int64, not ${runEnds}`);
      if (children[0]!.nullable) fail(path, 'run ends must not be nullable');
      break;
    }
    default:
  }
  children.forEach((c) => checkField(c, `${path}.${c?.name}`));
}
