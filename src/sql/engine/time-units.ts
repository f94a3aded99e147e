// DuckDB keeps times, timestamps and intervals in microseconds; Arrow columns and parameters come
// in any of four units. One conversion, shared by loading stored Arrow tables and by binding
// parameters, so both round the same way.
import { TimeUnit } from 'apache-arrow';

const PER_SECOND: Record<TimeUnit, bigint> = {
  [TimeUnit.SECOND]: 1n, [TimeUnit.MILLISECOND]: 1000n, [TimeUnit.MICROSECOND]: 1_000_000n, [TimeUnit.NANOSECOND]: 1_000_000_000n,
};

/** Converts a count of `unit` to microseconds; finer units are floored, as DuckDB's casts do. */
export function toMicros(value: bigint, unit: TimeUnit): bigint {
  const per = PER_SECOND[unit];
  if (per >= 1_000_000n) {
    const d = per / 1_000_000n;
    const q = value / d;
    return value % d !== 0n && value < 0n ? q - 1n : q;
  }
  return value * (1_000_000n / per);
}
