// The version marker of a follow stream (the change feed, docs/follow.md): a metadata-only
// FlightData message sent before each version's batches, whose app_metadata is this JSON. Server
// and client both speak it, hence its place here. Keys are snake_case like the descriptor's.
//
//   {"table": "t", "version": 7, "operation": "append", "committed_at": "2026-12-01T23:40:00.123Z", "rows": 120}
//
// `operation` is the version's manifest operation: "create" (the table's first version: all its
// rows follow), "append" (its new rows follow), "overwrite" (the whole new version follows:
// drop what you had), "compact" (files rewritten, rows unchanged: nothing follows). Any other
// operation is maintenance of the same kind (files rewritten, rows unchanged: "convert" turns
// landed Arrow IPC files into Parquet): its marker comes alone, and readers must accept names
// they do not know, so that a new maintenance operation breaks no follower. `rows` is how
// many rows follow the marker before the next one, so a reader knows when it holds the whole
// version (and may resume with from_version = version + 1) without waiting for the next marker.

/**
 * The operation of a followed version, as its manifest names it: one of these, or the name of
 * another maintenance operation (no rows follow its marker).
 */
export type FollowOperation = 'create' | 'append' | 'overwrite' | 'compact' | (string & {});

/** The app_metadata JSON of a follow stream's version marker (the message before each version's batches). */
export interface VersionMarker {
  /** The followed table. */
  table: string;
  /** The version whose change follows. */
  version: number;
  /** What the version did: what follows the marker (see the top of this file). */
  operation: FollowOperation;
  /** ISO 8601, when the version was committed. */
  committed_at: string;
  /** Rows sent after this marker for this version (0 for a compaction). */
  rows: number;
}

export function encodeVersionMarker(m: VersionMarker): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ table: m.table, version: m.version, operation: m.operation, committed_at: m.committed_at, rows: m.rows }));
}

/** The marker in a metadata-only message's app_metadata, or null when it is not one. */
export function decodeVersionMarker(bytes: Uint8Array): VersionMarker | null {
  let o: unknown;
  try {
    o = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
  if (typeof o !== 'object' || o === null) return null;
  const m = o as Record<string, unknown>;
  const ok = typeof m.table === 'string' && Number.isSafeInteger(m.version) && typeof m.operation === 'string' && m.operation.length > 0
    && typeof m.committed_at === 'string' && Number.isSafeInteger(m.rows);
  return ok ? (m as unknown as VersionMarker) : null;
}
