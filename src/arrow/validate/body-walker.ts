// Checks a batch body against its schema the way Arrow C++'s ValidateFull checks arrays: it
// walks the field nodes and buffers in the order the IPC format lays them out (pre-order, each
// array's buffers then its children's) and, for each array, checks the buffers are as long as
// its type and length need, the validity bitmap agrees with the null count, offsets start at or
// after zero, never decrease and stay inside the data or child they index, strings are UTF-8,
// union type ids are among the union's codes and dense offsets inside their child, dictionary
// indices inside their dictionary, views inside their data buffers, run ends increasing, and
// children as long as their parents need.
//
// Two checks of ValidateFull are left out on purpose: decimal values beyond their type's
// precision and date64 values that are not whole days. Arrow C++'s IPC readers accept both,
// and the Arrow integration corpus holds both (generated_decimal*.stream,
// generated_datetime.stream), so refusing them would refuse what archery sends.
import { isUtf8 } from 'node:buffer';
import { DataType, Type, UnionMode, type Field } from 'apache-arrow';
import { LARGE_LIST_VIEW, LIST_VIEW, RUN_END_ENCODED } from '../newer-layouts.ts';
import { InvalidArrayError, countSet, intsOf, isValid, need, type IntArray } from './buffer-views.ts';

export interface BodyLayout {
  nodes: { length: number; nullCount: number }[];
  buffers: { offset: number; length: number }[];
  variadicBufferCounts: number[];
}

interface Checked {
  length: number;
  nullCount: number;
  buffers: Uint8Array[];
  validity: Uint8Array | null;
  children?: Checked[];
}

const METADATA_V5 = 4;

/** Byte width of one value of a fixed-width type, or null for other layouts. */
function fixedWidth(type: DataType): number | null {
  const t = type as unknown as { bitWidth: number; precision: number; unit: number; byteWidth: number };
  switch (type.typeId) {
    case Type.Int: case Type.Time: case Type.Decimal: return t.bitWidth / 8;
    case Type.Float: return [2, 4, 8][t.precision] ?? null;
    case Type.Date: return t.unit === 0 ? 4 : 8;
    case Type.Timestamp: case Type.Duration: return 8;
    case Type.Interval: return [4, 8, 16][t.unit] ?? null;
    case Type.FixedSizeBinary: return t.byteWidth;
    default: return null;
  }
}

const fail = (why: string): never => {
  throw new InvalidArrayError(why);
};

export class BodyWalker {
  private node = 0;
  private buffer = 0;
  private variadic = 0;

  constructor(
    private readonly body: Uint8Array,
    private readonly layout: BodyLayout,
    private readonly version: number,
    /** Values in dictionary `id` so far, or undefined before its first dictionary batch. */
    private readonly dictionaryLength: (id: number) => number | undefined,
  ) {}

  /** Every node, buffer and variadic count was used: a batch carrying more than its schema describes is refused too. */
  finish(): void {
    const { nodes, buffers, variadicBufferCounts } = this.layout;
    if (this.node !== nodes.length) fail(`it has ${nodes.length} field nodes, its schema describes ${this.node}`);
    if (this.buffer !== buffers.length) fail(`it has ${buffers.length} buffers, its schema describes ${this.buffer}`);
    if (this.variadic !== variadicBufferCounts.length) fail(`it has ${variadicBufferCounts.length} variadic buffer counts, its schema has ${this.variadic} view columns`);
  }

  private nextNode(): { length: number; nullCount: number } {
    const node = this.layout.nodes[this.node++];
    if (!node) fail('it has fewer field nodes than its schema needs');
    const { length, nullCount } = node!;
    if (!(Number.isSafeInteger(length) && length >= 0)) fail(`a field node has length ${length}`);
    if (!(nullCount >= 0 && nullCount <= length)) fail(`a field node has null count ${nullCount} for ${length} values`);
    return node!;
  }

  private nextBuffer(): Uint8Array {
    const region = this.layout.buffers[this.buffer++];
    if (!region) fail('it has fewer buffers than its schema needs');
    const { offset, length } = region!;
    if (!(offset >= 0 && length >= 0 && offset + length <= this.body.byteLength)) fail(`a buffer at ${offset}+${length} lies outside the ${this.body.byteLength}-byte body`);
    // Arrow C++'s reader refuses a buffer that does not start at a multiple of 8.
    if (offset % 8 !== 0) fail(`a buffer starts at body offset ${offset}, not a multiple of 8`);
    return this.body.subarray(offset, offset + length);
  }

  /** Checks one column (and its children); errors name the innermost column at fault. */
  column(field: Field, path: string): Checked {
    return this.array(field.type, path);
  }

  private validity(length: number, nullCount: number): { buffer: Uint8Array; bitmap: Uint8Array | null } {
    const buffer = this.nextBuffer();
    if (nullCount === 0) return { buffer, bitmap: null };
    need(buffer, Math.ceil(length / 8), 'validity bitmap', length);
    const nulls = length - countSet(buffer, length);
    if (nulls !== nullCount) fail(`its null count is ${nullCount} but its validity bitmap marks ${nulls} nulls`);
    return { buffer, bitmap: buffer };
  }

  private array(type: DataType, path: string): Checked {
    try {
      return this.arrayAt(type, path);
    } catch (e) {
      if (e instanceof InvalidArrayError && !e.message.startsWith('column ')) throw new InvalidArrayError(`column ${path}: ${e.message}`);
      throw e;
    }
  }

  private arrayAt(type: DataType, path: string): Checked {
    const { length, nullCount } = this.nextNode();
    const typeId = type.typeId as number;
    // Arrow C++ takes a null array's null count from its node and ValidateFull wants it whole.
    if (typeId === Type.Null) {
      if (nullCount !== length) fail(`a null array's null count must equal its length ${length}, not ${nullCount}`);
      return { length, nullCount, buffers: [], validity: null };
    }
    if (typeId === RUN_END_ENCODED) return this.runEndEncoded(type, length, nullCount, path);
    if (typeId === Type.Union) return this.union(type, length, nullCount, path);
    const { buffer: validityBuffer, bitmap } = this.validity(length, nullCount);
    const buffers = [validityBuffer];
    const done = (): Checked => ({ length, nullCount, buffers, validity: bitmap });
    const width = fixedWidth(type);
    if (DataType.isDictionary(type)) {
      const indexWidth = ((type.indices as unknown as { bitWidth: number }).bitWidth / 8) as 1 | 2 | 4 | 8;
      const data = this.nextBuffer();
      buffers.push(data);
      need(data, length * indexWidth, 'indices buffer', length);
      this.indicesWithin(intsOf(data, indexWidth, (type.indices as unknown as { isSigned: boolean }).isSigned, length), bitmap, type.id);
      return done();
    }
    if (width !== null) {
      const data = this.nextBuffer();
      buffers.push(data);
      need(data, length * width, 'data buffer', length);
      return done();
    }
    switch (typeId) {
      case Type.Bool: {
        const data = this.nextBuffer();
        buffers.push(data);
        need(data, Math.ceil(length / 8), 'data buffer', length);
        return done();
      }
      case Type.Utf8: case Type.Binary: case Type.LargeUtf8: case Type.LargeBinary: {
        const large = typeId === Type.LargeUtf8 || typeId === Type.LargeBinary;
        const offsetsBuffer = this.nextBuffer();
        const data = this.nextBuffer();
        buffers.push(offsetsBuffer, data);
        const offsets = checkOffsets(offsetsBuffer, length, large ? 8 : 4, data.byteLength, 'data buffer');
        if (typeId === Type.Utf8 || typeId === Type.LargeUtf8) utf8Values(data, offsets, length);
        return done();
      }
      case Type.Utf8View: case Type.BinaryView: {
        const views = this.nextBuffer();
        const count = this.layout.variadicBufferCounts[this.variadic++];
        if (count === undefined) fail('the batch gives no variadic buffer count for it');
        if (!(count! >= 0)) fail(`a variadic buffer count of ${count}`);
        const data: Uint8Array[] = [];
        for (let i = 0; i < count!; i++) data.push(this.nextBuffer());
        buffers.push(views, ...data);
        checkViews(views, data, length, typeId === Type.Utf8View);
        return done();
      }
      case Type.List: case Type.LargeList: case Type.Map: {
        const offsetsBuffer = this.nextBuffer();
        buffers.push(offsetsBuffer);
        const child = type.children[0]!;
        const checked = this.array(child.type, `${path}.${child.name}`);
        checkOffsets(offsetsBuffer, length, typeId === Type.LargeList ? 8 : 4, checked.length, 'child array');
        if (typeId === Type.Map) this.mapKeysNotNull(checked);
        return done();
      }
      case LIST_VIEW: case LARGE_LIST_VIEW: {
        const w = typeId === LARGE_LIST_VIEW ? 8 : 4;
        const offsetsBuffer = this.nextBuffer();
        const sizesBuffer = this.nextBuffer();
        buffers.push(offsetsBuffer, sizesBuffer);
        const child = type.children[0]!;
        const checked = this.array(child.type, `${path}.${child.name}`);
        need(offsetsBuffer, length * w, 'offsets buffer', length);
        need(sizesBuffer, length * w, 'sizes buffer', length);
        const offsets = intsOf(offsetsBuffer, w, true, length);
        const sizes = intsOf(sizesBuffer, w, true, length);
        for (let i = 0; i < length; i++) {
          const offset = Number(offsets[i]!);
          const size = Number(sizes[i]!);
          if (!(offset >= 0 && size >= 0 && offset + size <= checked.length)) fail(`list view ${i} (offset ${offset}, size ${size}) lies outside its child array of ${checked.length} values`);
        }
        return done();
      }
      case Type.FixedSizeList: {
        const child = type.children[0]!;
        const checked = this.array(child.type, `${path}.${child.name}`);
        const size = (type as unknown as { listSize: number }).listSize;
        if (checked.length < length * size) fail(`its child array holds ${checked.length} values, ${length} lists of ${size} need ${length * size}`);
        return done();
      }
      case Type.Struct: {
        const children: Checked[] = [];
        for (const child of type.children as Field[]) {
          const checked = this.array(child.type, `${path}.${child.name}`);
          if (checked.length < length) fail(`its child ${child.name} holds ${checked.length} values, the struct has ${length}`);
          children.push(checked);
        }
        return { ...done(), children };
      }
      default:
        return fail(`type ${type} is not one this server validates`);
    }
  }

  private indicesWithin(indices: IntArray, bitmap: Uint8Array | null, id: number): void {
    const size = this.dictionaryLength(id) ?? 0;
    for (let i = 0; i < indices.length; i++) {
      const index = Number(indices[i]!);
      if ((index < 0 || index >= size) && isValid(bitmap, i)) {
        fail(`index ${index} at row ${i} is outside its dictionary (id ${id}) of ${size} values${this.dictionaryLength(id) === undefined ? ', which no dictionary batch has sent yet' : ''}`);
      }
    }
  }

  private mapKeysNotNull(entries: Checked): void {
    if ((entries.children?.[0]?.nullCount ?? 0) > 0) fail('its keys hold nulls');
  }

  private union(type: DataType, length: number, nullCount: number, path: string): Checked {
    const buffers: Uint8Array[] = [];
    // Before V5 a union had a validity bitmap of its own; Arrow C++ reads and ignores it.
    if (this.version < METADATA_V5) buffers.push(this.nextBuffer());
    else if (nullCount !== 0) fail(`a union has no validity bitmap, so its null count must be 0, not ${nullCount}`);
    const u = type as unknown as { mode: UnionMode; typeIds: ArrayLike<number> };
    const dense = u.mode === UnionMode.Dense;
    const idsBuffer = this.nextBuffer();
    const offsetsBuffer = dense ? this.nextBuffer() : null;
    buffers.push(idsBuffer, ...(offsetsBuffer ? [offsetsBuffer] : []));
    const childLengths: number[] = [];
    (type.children as Field[]).forEach((child) => {
      const checked = this.array(child.type, `${path}.${child.name}`);
      if (!dense && checked.length < length) fail(`its child ${child.name} holds ${checked.length} values, the sparse union has ${length}`);
      childLengths.push(checked.length);
    });
    need(idsBuffer, length, 'type ids buffer', length);
    const childOf = new Map<number, number>();
    Array.from(u.typeIds).forEach((code, i) => childOf.set(code, i));
    const offsets = offsetsBuffer ? (need(offsetsBuffer, length * 4, 'offsets buffer', length), intsOf(offsetsBuffer, 4, true, length)) : null;
    const lastOffsets = childLengths.map(() => 0);
    for (let i = 0; i < length; i++) {
      const code = (idsBuffer[i]! << 24) >> 24;
      const child = childOf.get(code);
      if (child === undefined) fail(`type id ${code} at row ${i} is not among the union's type codes ${Array.from(u.typeIds).join(', ')}`);
      if (offsets) {
        const offset = offsets[i] as number;
        if (!(offset >= 0 && offset < childLengths[child!]!)) fail(`dense union offset ${offset} at row ${i} lies outside child ${child} of ${childLengths[child!]} values`);
        // ValidateFull: each child's offsets never decrease.
        if (offset < lastOffsets[child!]!) fail(`dense union offset ${offset} at row ${i} is below the previous offset ${lastOffsets[child!]} into child ${child}`);
        lastOffsets[child!] = offset;
      }
    }
    return { length, nullCount, buffers, validity: null };
  }

  private runEndEncoded(type: DataType, length: number, nullCount: number, path: string): Checked {
    if (nullCount !== 0) fail(`a run-end encoded array has no validity bitmap, so its null count must be 0, not ${nullCount}`);
    const [runEndsField, valuesField] = type.children as Field[];
    const runEnds = this.array(runEndsField!.type, `${path}.${runEndsField!.name}`);
    const values = this.array(valuesField!.type, `${path}.${valuesField!.name}`);
    if (runEnds.nullCount !== 0) fail('its run ends hold nulls');
    if (values.length < runEnds.length) fail(`it has ${runEnds.length} run ends but ${values.length} values`);
    if (length > 0 && runEnds.length === 0) fail(`it has ${length} values but no runs`);
    const width = ((runEndsField!.type as unknown as { bitWidth: number }).bitWidth / 8) as 2 | 4 | 8;
    const ends = intsOf(runEnds.buffers[1]!, width, true, runEnds.length);
    let previous = 0;
    for (let i = 0; i < ends.length; i++) {
      const end = Number(ends[i]!);
      if (!(end > previous)) fail(`run end ${end} at run ${i} does not increase (the previous is ${previous}; run ends start above 0)`);
      previous = end;
    }
    if (runEnds.length > 0 && previous < length) fail(`its last run ends at ${previous}, before its ${length} values`);
    return { length, nullCount, buffers: [], validity: null };
  }
}

/** Offsets of `length` values: from 0 or more, never decreasing, the last within `limit`. */
function checkOffsets(buffer: Uint8Array, length: number, width: 4 | 8, limit: number, into: string): IntArray | null {
  if (length === 0) {
    // An empty array may omit its offsets; if present, the first must still be in bounds.
    if (buffer.byteLength >= width) {
      const first = Number(intsOf(buffer, width, true, 1)[0]!);
      if (!(first >= 0 && first <= limit)) fail(`its offset ${first} lies outside its ${into} of ${limit}`);
    }
    return null;
  }
  need(buffer, (length + 1) * width, 'offsets buffer', length);
  const offsets = intsOf(buffer, width, true, length + 1);
  let previous = Number(offsets[0]!);
  if (previous < 0) fail(`its first offset is ${previous}`);
  for (let i = 1; i <= length; i++) {
    const next = Number(offsets[i]!);
    if (next < previous) fail(`its offsets decrease at value ${i - 1} (${previous} then ${next})`);
    previous = next;
  }
  if (previous > limit) fail(`its last offset ${previous} lies beyond its ${into} of ${limit}${into === 'data buffer' ? ' bytes' : ' values'}`);
  return offsets;
}

/** Every value UTF-8: the whole range at once, and no value boundary inside a character. */
function utf8Values(data: Uint8Array, offsets: IntArray | null, length: number): void {
  if (!offsets) return;
  const first = Number(offsets[0]!);
  const last = Number(offsets[length]!);
  const ok = isUtf8(data.subarray(first, last)) && (() => {
    for (let i = 1; i < length; i++) {
      const at = Number(offsets[i]!);
      if (at < last && (data[at]! & 0xc0) === 0x80) return false;
    }
    return true;
  })();
  if (ok) return;
  for (let i = 0; i < length; i++) {
    if (!isUtf8(data.subarray(Number(offsets[i]!), Number(offsets[i + 1]!)))) fail(`value ${i} is not valid UTF-8`);
  }
}

/** Binary and string views (16 bytes each): inline up to 12 bytes, else a prefix, buffer index and offset. */
function checkViews(views: Uint8Array, data: Uint8Array[], length: number, utf8: boolean): void {
  need(views, length * 16, 'views buffer', length);
  const dv = new DataView(views.buffer, views.byteOffset, views.byteLength);
  for (let i = 0; i < length; i++) {
    const at = 16 * i;
    const size = dv.getInt32(at, true);
    if (size < 0) fail(`view ${i} has a negative size ${size}`);
    let value: Uint8Array;
    if (size <= 12) {
      value = views.subarray(at + 4, at + 4 + size);
      for (let k = at + 4 + size; k < at + 16; k++) if (views[k] !== 0) fail(`view ${i} is inline with ${size} bytes but its padding is not zero`);
    } else {
      const index = dv.getInt32(at + 8, true);
      const offset = dv.getInt32(at + 12, true);
      const buffer = data[index];
      if (!buffer) fail(`view ${i} refers to data buffer ${index}, the array has ${data.length}`);
      if (!(offset >= 0 && offset + size <= buffer!.byteLength)) fail(`view ${i} (${size} bytes at ${offset}) lies outside its ${buffer!.byteLength}-byte data buffer ${index}`);
      value = buffer!.subarray(offset, offset + size);
      for (let k = 0; k < 4; k++) if (views[at + 4 + k] !== value[k]) fail(`view ${i}'s prefix does not match its data`);
    }
    if (utf8 && !isUtf8(value)) fail(`value ${i} is not valid UTF-8`);
  }
}
