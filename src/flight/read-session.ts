// What Flight session options mean on quiver: defaults for the reads of one client session.
//
//   quiver.as_of           string, an RFC 3339 instant: a read that names no version sees each
//                          table as it was then (the newest version committed at or before it),
//                          so a client reading several tables gets one consistent point in time.
//   quiver.endpoint_bytes  int64 >= 1: how many Arrow bytes each GetFlightInfo endpoint covers,
//                          so a client that reads endpoints in parallel picks its own grain.
//
// Sessions are per replica (SessionOptionsStore keeps them in memory): a cookie another replica
// issued is a session this one does not know, and its reads get the server's defaults.
import type * as grpc from '@grpc/grpc-js';
import type { OptionPolicy, SessionOptionValue, SessionOptionsStore } from './session-options.ts';

export const AS_OF = 'quiver.as_of';
export const ENDPOINT_BYTES = 'quiver.endpoint_bytes';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export const readSessionPolicy: OptionPolicy = (name, value) => {
  if (name === AS_OF) return typeof value.string_value === 'string' && parseInstant(value.string_value) !== null ? null : 'INVALID_VALUE';
  if (name === ENDPOINT_BYTES) {
    const n = int64Of(value);
    return n !== undefined && Number.isSafeInteger(n) && n >= 1 ? null : 'INVALID_VALUE';
  }
  return 'INVALID_NAME';
};

export interface ReadDefaults {
  /** ms since the epoch */
  asOf?: number;
  endpointBytes?: number;
}

/** The read defaults of the caller's session (none without a session). */
export function readDefaults(sessions: SessionOptionsStore | undefined, metadata: grpc.Metadata): ReadDefaults {
  const options = sessions?.optionsOf(metadata);
  if (!options) return {};
  const out: ReadDefaults = {};
  const asOf = stringOf(options.get(AS_OF));
  if (asOf !== undefined) out.asOf = parseInstant(asOf) ?? undefined;
  const bytes = int64Of(options.get(ENDPOINT_BYTES));
  if (bytes !== undefined) out.endpointBytes = bytes;
  return out;
}

const stringOf = (v: SessionOptionValue | undefined) => v?.string_value;
// int64 values may arrive as numbers or, to stay exact, as decimal strings.
const int64Of = (v: SessionOptionValue | undefined) => (v?.int64_value === undefined || v.int64_value === null ? undefined : Number(v.int64_value));

function parseInstant(text: string): number | null {
  if (!INSTANT.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}
