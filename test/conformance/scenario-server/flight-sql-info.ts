// CommandGetSqlInfo's answer in the flight_sql* scenarios: the scenario's own values (a server
// name, Substrait and transaction support, timeouts) in quiver's SqlInfo result schema
// (src/sql/sql-info.ts SQL_INFO_SCHEMA), so the foreign clients check quiver's dense union, child
// names and nullability as they decode it. Only the union members the scenarios use are filled.
import { DenseUnion, Uint32, makeData, type Data, type RecordBatch } from 'apache-arrow';
import { batchOf, column } from '../../../src/sql/arrow-columns.ts';
import { SQL_INFO_SCHEMA } from '../../../src/sql/sql-info.ts';

export type InfoValue = { string: string } | { bool: boolean } | { int32: number };

// Union type ids, in the order of the value union's members (string_value, bool_value,
// bigint_value, int32_bitmask, string_list, int32_to_int32_list_map).
const MEMBER = { string: 0, bool: 1, int32: 3 } as const;

/** The rows for `codes` (all of `values` when empty, as the protocol says); unknown codes are left out. */
export function sqlInfoBatch(values: ReadonlyMap<number, InfoValue>, codes: readonly number[]): RecordBatch {
  const wanted = codes.length === 0 ? [...values.keys()] : codes.filter((c) => values.has(c));
  const union = SQL_INFO_SCHEMA.fields[1]!.type as DenseUnion;
  const members: unknown[][] = union.children.map(() => []);
  const typeIds = new Int8Array(wanted.length);
  const offsets = new Int32Array(wanted.length);
  wanted.forEach((code, row) => {
    const value = values.get(code)!;
    const [id, v] = 'string' in value ? [MEMBER.string, value.string] : 'bool' in value ? [MEMBER.bool, value.bool] : [MEMBER.int32, value.int32];
    typeIds[row] = id;
    offsets[row] = members[id]!.length;
    members[id]!.push(v);
  });
  const children: Data[] = union.children.map((f, i) => column(f.type, members[i]!));
  const data = makeData({ type: union, length: wanted.length, nullCount: 0, typeIds, valueOffsets: offsets, children });
  return batchOf(SQL_INFO_SCHEMA, [column(new Uint32(), wanted), data]);
}
