// Whether a query's result is streamed out of DuckDB or materialized first. DuckDB streams a
// result one produced chunk per fetch, and a selective filter pushed into the Parquet scan
// produces one chunk per 2,048 rows scanned, most holding a row or two: 4M rows filtered to
// 3,183 were 1,553 fetches, each a round trip through Node's thread pool and DuckDB's result
// buffer (about 40% more CPU than the whole scan materialized). A materialized result is packed
// into full chunks (4 for the same query) but held in memory until read, so it is used only when
// the tables a query reads are small enough that holding all of them is affordable; a query over
// larger tables, or over no table at all (range(), a generator), keeps streaming.
import type { PinnedTable } from './sql-engine.ts';

/** Cells (rows x stored columns) of all pinned tables together up to which results are materialized. */
export const MATERIALIZE_MAX_CELLS = 64 * 1024 * 1024;

/**
 * True when the result should be materialized: the query reads at least one table and all of
 * them together hold at most `maxCells` cells (a result over them is then bounded by their size,
 * joins aside; a join that explodes still stops at the memory limit with RESOURCE_EXHAUSTED).
 */
export function materializeResult(tables: readonly PinnedTable[], maxCells = MATERIALIZE_MAX_CELLS): boolean {
  if (tables.length === 0 || maxCells <= 0) return false;
  let cells = 0;
  for (const t of tables) for (const f of t.files) cells += f.rows * Math.max(1, t.schema.fields.length);
  return cells <= maxCells;
}
