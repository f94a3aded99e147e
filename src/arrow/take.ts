// "Take" for arrow-js, which has no compute kernels: a new column made of chosen rows of other
// columns of the same type, each row named by (source chunk, row in that chunk). It copies the
// buffers of every layout arrow-js reads, nested and dictionary-encoded columns included, so the
// result is exact (no detour through JavaScript values, which would lose nanoseconds and
// dictionary encoding).
import { Data, DataType, Type, UnionMode, Vector, makeData, type Dictionary, type Field } from 'apache-arrow';
import { keyReader, keyTypeProblem, type KeyValue } from './key-values.ts';

/** Which rows to take: the i-th output row is row `row[i]` of `sources[chunk[i]]`. */
export interface RowPicks {
  chunk: Int32Array;
  row: Int32Array;
}

type TypedArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;
type TypedArrayCtor = { new(length: number): TypedArray };

export function takeRows(type: DataType, sources: readonly Data[], picks: RowPicks): Data {
  const length = picks.chunk.length;
  switch (type.typeId) {
    case Type.Null:
      return makeData({ type, length } as never);
    case Type.Bool:
      return makeData({ type, length, ...validity(sources, picks), data: takeBits(sources, picks) } as never);
    case Type.Int: case Type.Float: case Type.Date: case Type.Time: case Type.Timestamp: case Type.Duration:
    case Type.Interval: case Type.Decimal: case Type.FixedSizeBinary:
      return makeData({ type, length, ...validity(sources, picks), data: takeFixed(sources, picks) } as never);
    case Type.Utf8: case Type.Binary:
      return makeData({ type, length, ...validity(sources, picks), ...takeBytes(sources, picks, false) } as never);
    case Type.LargeUtf8: case Type.LargeBinary:
      return makeData({ type, length, ...validity(sources, picks), ...takeBytes(sources, picks, true) } as never);
    case Type.List: case Type.Map:
      return takeList(type, sources, picks, false);
    case Type.LargeList:
      return takeList(type, sources, picks, true);
    case Type.FixedSizeList: {
      const size = (type as unknown as { listSize: number }).listSize;
      const child = takeRows(childType(type, 0), sources.map((s) => s.children[0]!), expand(picks, (c, r) => [r * size, (r + 1) * size]));
      return makeData({ type, length, ...validity(sources, picks), child } as never);
    }
    case Type.Struct: {
      const children = (type.children as Field[]).map((f, i) => takeRows(f.type, sources.map((s) => s.children[i]!), picks));
      return makeData({ type, length, ...validity(sources, picks), children } as never);
    }
    case Type.Union:
      return takeUnion(type, sources, picks);
    case Type.Dictionary:
      return takeDictionary(type as Dictionary, sources, picks);
    default:
      throw new Error(`cannot take rows of type ${String(type)}`);
  }
}

const childType = (type: DataType, i: number): DataType => (type.children as Field[])[i]!.type;

/** The null bitmap of the picked rows, left out when none of them is null. */
function validity(sources: readonly Data[], { chunk, row }: RowPicks): { nullCount: number; nullBitmap?: Uint8Array } {
  if (!sources.some((s) => s.nullCount > 0)) return { nullCount: 0 };
  const bitmap = new Uint8Array(((chunk.length + 63) & ~63) >> 3);
  let nulls = 0;
  for (let i = 0; i < chunk.length; i++) {
    if (sources[chunk[i]!]!.getValid(row[i]!)) bitmap[i >> 3]! |= 1 << (i & 7);
    else nulls++;
  }
  return nulls === 0 ? { nullCount: 0 } : { nullCount: nulls, nullBitmap: bitmap };
}

/** Booleans are bit-packed, and their bits start at the Data's offset. */
function takeBits(sources: readonly Data[], { chunk, row }: RowPicks): Uint8Array {
  const out = new Uint8Array(((chunk.length + 63) & ~63) >> 3);
  for (let i = 0; i < chunk.length; i++) {
    const s = sources[chunk[i]!]!;
    const pos = s.offset + row[i]!;
    if (((s.values as Uint8Array)[pos >> 3]! >> (pos & 7)) & 1) out[i >> 3]! |= 1 << (i & 7);
  }
  return out;
}

/** Fixed-width values: `stride` elements of the typed array per row (arrow-js slices `values`). */
function takeFixed(sources: readonly Data[], { chunk, row }: RowPicks): TypedArray {
  const first = sources[0]!;
  const stride = first.stride;
  const out = new ((first.values as TypedArray).constructor as TypedArrayCtor)(chunk.length * stride);
  if (stride === 1) {
    for (let i = 0; i < chunk.length; i++) (out as Int32Array)[i] = (sources[chunk[i]!]!.values as Int32Array)[row[i]!]!;
  } else {
    for (let i = 0; i < chunk.length; i++) {
      const values = sources[chunk[i]!]!.values as TypedArray;
      const from = row[i]! * stride;
      (out as Int32Array).set((values as Int32Array).subarray(from, from + stride), i * stride);
    }
  }
  return out;
}

/** Variable-width bytes (strings, binary) with 32- or 64-bit offsets. */
function takeBytes(sources: readonly Data[], { chunk, row }: RowPicks, large: boolean): { valueOffsets: Int32Array | BigInt64Array; data: Uint8Array } {
  const n = chunk.length;
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const offsets = sources[chunk[i]!]!.valueOffsets as Int32Array | BigInt64Array;
    starts[i] = Number(offsets[row[i]!]!);
    ends[i] = Number(offsets[row[i]! + 1]!);
    total += ends[i]! - starts[i]!;
  }
  const data = new Uint8Array(total);
  const offsets = large ? new BigInt64Array(n + 1) : new Int32Array(n + 1);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const values = sources[chunk[i]!]!.values as Uint8Array;
    const from = starts[i]!;
    const to = ends[i]!;
    // A typed-array view per value costs more than copying a short value byte by byte.
    if (to - from <= 64) for (let b = from; b < to; b++) data[pos++] = values[b]!;
    else {
      data.set(values.subarray(from, to), pos);
      pos += to - from;
    }
    if (large) (offsets as BigInt64Array)[i + 1] = BigInt(pos);
    else (offsets as Int32Array)[i + 1] = pos;
  }
  return { valueOffsets: offsets, data };
}

/** Each picked row stands for a run of child rows [from, to) of the same chunk. */
function expand({ chunk, row }: RowPicks, range: (chunk: number, row: number) => [number, number]): RowPicks {
  let total = 0;
  for (let i = 0; i < chunk.length; i++) {
    const [from, to] = range(chunk[i]!, row[i]!);
    total += to - from;
  }
  const out = { chunk: new Int32Array(total), row: new Int32Array(total) };
  let k = 0;
  for (let i = 0; i < chunk.length; i++) {
    const [from, to] = range(chunk[i]!, row[i]!);
    for (let r = from; r < to; r++, k++) {
      out.chunk[k] = chunk[i]!;
      out.row[k] = r;
    }
  }
  return out;
}

function takeList(type: DataType, sources: readonly Data[], picks: RowPicks, large: boolean): Data {
  const n = picks.chunk.length;
  const childPicks = expand(picks, (c, r) => {
    const offsets = sources[c]!.valueOffsets as Int32Array | BigInt64Array;
    return [Number(offsets[r]!), Number(offsets[r + 1]!)];
  });
  const valueOffsets = large ? new BigInt64Array(n + 1) : new Int32Array(n + 1);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const offsets = sources[picks.chunk[i]!]!.valueOffsets as Int32Array | BigInt64Array;
    const r = picks.row[i]!;
    pos += Number(offsets[r + 1]!) - Number(offsets[r]!);
    if (large) (valueOffsets as BigInt64Array)[i + 1] = BigInt(pos);
    else (valueOffsets as Int32Array)[i + 1] = pos;
  }
  const child = takeRows(childType(type, 0), sources.map((s) => s.children[0]!), childPicks);
  return makeData({ type, length: n, ...validity(sources, picks), valueOffsets, child } as never);
}

function takeUnion(type: DataType, sources: readonly Data[], picks: RowPicks): Data {
  const union = type as unknown as { mode: UnionMode; typeIdToChildIndex: Record<number, number>; children: Field[] };
  const n = picks.chunk.length;
  const typeIds = new Int8Array(n);
  for (let i = 0; i < n; i++) typeIds[i] = (sources[picks.chunk[i]!]!.typeIds as Int8Array)[picks.row[i]!]!;
  if (union.mode === UnionMode.Sparse) {
    const children = union.children.map((f, k) => takeRows(f.type, sources.map((s) => s.children[k]!), picks));
    return makeData({ type, length: n, nullCount: 0, typeIds, children } as never);
  }
  // Dense: each row points into its own child; the taken children hold only the rows used.
  const perChild = union.children.map(() => ({ chunk: [] as number[], row: [] as number[] }));
  const valueOffsets = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = sources[picks.chunk[i]!]!;
    const target = perChild[union.typeIdToChildIndex[typeIds[i]!]!]!;
    valueOffsets[i] = target.chunk.length;
    target.chunk.push(picks.chunk[i]!);
    target.row.push((s.valueOffsets as Int32Array)[picks.row[i]!]!);
  }
  const children = union.children.map((f, k) => takeRows(f.type, sources.map((s) => s.children[k]!), {
    chunk: Int32Array.from(perChild[k]!.chunk),
    row: Int32Array.from(perChild[k]!.row),
  }));
  return makeData({ type, length: n, nullCount: 0, typeIds, valueOffsets, children } as never);
}

/**
 * Indices of the picked rows over a new dictionary holding only the entries they use. Rows from
 * different batches may come with different dictionaries; compacting makes one of them, no
 * larger than the answer, and never sends entries nobody asked for.
 */
function takeDictionary(type: Dictionary, sources: readonly Data[], picks: RowPicks): Data {
  const n = picks.chunk.length;
  const { nullCount, nullBitmap } = validity(sources, picks);
  const dictionaryOf = new Map<Vector, number>();
  // Entry `e` of dictionary `d` is global entry base[d] + e over all dictionaries' chunks.
  const base: number[] = [];
  const chunks: Data[] = [];
  const chunkStarts: number[] = [];
  let total = 0;
  for (const s of sources) {
    const d = s.dictionary!;
    if (dictionaryOf.has(d)) continue;
    dictionaryOf.set(d, base.length);
    base.push(total);
    for (const c of d.data) {
      chunkStarts.push(total);
      chunks.push(c);
      total += c.length;
    }
  }
  const IndexArray = type.indices.ArrayType as TypedArrayCtor;
  const indices = new IndexArray(n) as Int32Array;
  // Entries of equal value (the same string in two files' dictionaries) become one, where the
  // value type can be compared; otherwise each source entry is kept once.
  const comparable = keyTypeProblem(type.dictionary) === null;
  const readers = comparable ? chunks.map((c) => keyReader(c)) : [];
  const entryKey = (global: number): KeyValue | undefined => {
    if (!comparable) return undefined;
    const c = chunkOf(chunkStarts, global);
    return readers[c]!(global - chunkStarts[c]!);
  };
  const wanted = new Map<KeyValue, number>();
  // Entries that cannot be compared by value (null or NaN entries, nested values): by position.
  const wantedAt = new Map<number, number>();
  const entries: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = sources[picks.chunk[i]!]!;
    if (nullBitmap && !s.getValid(picks.row[i]!)) continue;
    const global = base[dictionaryOf.get(s.dictionary!)!]! + Number((s.values as Int32Array)[picks.row[i]!]!);
    const key = entryKey(global);
    let entry = key === undefined ? wantedAt.get(global) : wanted.get(key);
    if (entry === undefined) {
      entry = entries.length;
      if (key === undefined) wantedAt.set(global, entry);
      else wanted.set(key, entry);
      entries.push(global);
    }
    indices[i] = entry;
  }
  const limit = 2 ** (type.indices.bitWidth - (type.indices.isSigned ? 1 : 0)) - 1;
  if (entries.length - 1 > limit) {
    throw new Error(`the rows taken use ${entries.length} dictionary entries, more than ${String(type.indices)} indices can address`);
  }
  const entryPicks = { chunk: new Int32Array(entries.length), row: new Int32Array(entries.length) };
  entries.forEach((global, k) => {
    const c = chunkOf(chunkStarts, global);
    entryPicks.chunk[k] = c;
    entryPicks.row[k] = global - chunkStarts[c]!;
  });
  const dictionary = new Vector([takeRows(type.dictionary, chunks, entryPicks)]);
  return makeData({ type, length: n, nullCount, ...(nullBitmap ? { nullBitmap } : {}), data: indices, dictionary } as never);
}

/** The chunk holding global entry `global`: the last one starting at or before it. */
function chunkOf(chunkStarts: number[], global: number): number {
  let lo = 0;
  let hi = chunkStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (chunkStarts[mid]! <= global) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
