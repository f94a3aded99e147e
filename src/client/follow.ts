// client.follow(): a table's commits as an async iterable (the change feed, docs/follow.md).
// Each version comes as its marker item (no batch) followed by the batches it changed; the
// iterable ends only when the caller stops (break, or the AbortSignal) or the feed ends for good
// (the table dropped, its next version expired: NOT_FOUND).
//
// A lost stream is followed again by itself, from another of the endpoint's locations when the
// replica went away, without repeating or missing anything: the server sends a version's batches
// in the same order every time (they come from the version's immutable files), so the client
// asks again from the version it was in and skips the batches of it it already yielded. A
// schema replaced by an overwrite (FAILED_PRECONDITION: one Arrow stream has one schema) is
// followed again from that version, with the new schema.
import * as grpc from '@grpc/grpc-js';
import type { RecordBatch } from 'apache-arrow';
import { decodeVersionMarker, type FollowOperation, type VersionMarker } from '../wire/follow-marker.ts';
import type { CallOptions } from './calls.ts';
import { FlightError, toFlightError } from './flight-error.ts';
import type { FlightStreamItem } from './record-batch-stream.ts';
import type { DescriptorInput, FlightEndpoint, FlightInfo } from './types.ts';

export type { FollowOperation, VersionMarker } from '../wire/follow-marker.ts';

/** Options of FlightClient.follow(): where to start, which columns, how long to keep following again. */
export interface FollowOptions extends Omit<CallOptions, 'deadline'> {
  /** The first version to receive (its changes, then every later version's); default: only commits after now. */
  fromVersion?: number;
  /** Only these columns. */
  columns?: string[];
  /**
   * How long to keep trying to follow again after the stream was lost (UNAVAILABLE, a replica
   * gone, a reset) without getting anything; then the last error is thrown. 0 stops at the
   * first failure. Default 60 000 ms.
   */
  reconnectForMs?: number;
}

/** One step of a follow: a version's marker (no batch), or one of the batches the version changed. */
export interface FollowItem {
  version: number;
  operation: FollowOperation;
  /** ISO 8601 commit time of the version. */
  committedAt: string;
  /** Rows the version sends in all (0 for a compaction). */
  rows: number;
  /** Absent on the marker item that opens each version. */
  batch?: RecordBatch;
  /** The app_metadata the batch was put with, if any. */
  appMetadata?: Uint8Array;
}

/** What follow() needs of a FlightClient. */
export interface FollowTransport {
  location: string;
  getFlightInfo(descriptor: DescriptorInput, options: CallOptions, location: string): Promise<FlightInfo>;
  doGet(endpoint: FlightEndpoint, options: CallOptions, location: string): AsyncIterable<FlightStreamItem>;
}

// CANCELLED, when this side did not cancel (its signal is checked first): the server reset a
// stream whose reader had read nothing for its stall timeout; following again resumes it.
const RETRY_CODES = new Set([grpc.status.CANCELLED, grpc.status.UNAVAILABLE, grpc.status.ABORTED, grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.DEADLINE_EXCEEDED]);

export async function* followTable(transport: FollowTransport, table: string, options: FollowOptions = {}): AsyncGenerator<FollowItem> {
  const reconnectForMs = options.reconnectForMs ?? 60_000;
  const call: CallOptions = { ...(options.signal ? { signal: options.signal } : {}), ...(options.headers ? { headers: options.headers } : {}) };
  let from = options.fromVersion;
  /** The version being received, and how many of its batches were yielded. */
  let current: { marker: VersionMarker; batches: number } | null = null;
  let locations = [transport.location];
  let at = 0;
  let lastProgress = Date.now();
  let delay = 50;
  /** The version a schema change last restarted the stream at (once per version, never in a loop). */
  let schemaRestart = 0;
  for (;;) {
    const location = locations[at % locations.length]!;
    try {
      const cmd = { table, follow: true, ...(from !== undefined ? { from_version: from } : {}), ...(options.columns ? { columns: options.columns } : {}) };
      const info = await transport.getFlightInfo({ type: 'CMD', cmd: Buffer.from(JSON.stringify(cmd)) }, call, location);
      // Pin the server's default start, so that a reconnection continues from there.
      from ??= (JSON.parse(Buffer.from(info.appMetadata).toString('utf8')) as { from_version: number }).from_version;
      const endpoint = info.endpoints[0];
      if (!endpoint) throw new FlightError(grpc.status.INTERNAL, 'the follow FlightInfo has no endpoint');
      const others = endpoint.locations.filter((l) => l !== location && !l.startsWith('arrow-flight-reuse-connection:'));
      locations = [location, ...others];
      at = 0;
      let skip = current && current.marker.version === from ? current.batches : 0;
      for await (const item of transport.doGet(endpoint, call, location)) {
        if (!item.batch) {
          const marker = decodeVersionMarker(item.appMetadata);
          if (!marker) continue;
          if (current?.marker.version !== marker.version) {
            current = { marker, batches: 0 };
            yield { version: marker.version, operation: marker.operation, committedAt: marker.committed_at, rows: marker.rows };
          }
          from = marker.version;
        } else {
          if (!current) throw new FlightError(grpc.status.INTERNAL, 'the follow stream sent a batch before any version marker');
          if (skip > 0) {
            skip -= 1;
            continue;
          }
          current.batches += 1;
          const m = current.marker;
          yield { version: m.version, operation: m.operation, committedAt: m.committed_at, rows: m.rows, batch: item.batch, ...(item.appMetadata ? { appMetadata: item.appMetadata } : {}) };
        }
        lastProgress = Date.now();
        delay = 50;
      }
      throw new FlightError(grpc.status.UNAVAILABLE, 'the follow stream ended');
    } catch (e) {
      const err = toFlightError(e);
      if (options.signal?.aborted) throw err;
      const resumeAt = err.code === grpc.status.FAILED_PRECONDITION && /schema/.test(err.details) ? Number(/"from_version": (\d+)/.exec(err.details)?.[1]) : NaN;
      if (Number.isSafeInteger(resumeAt) && resumeAt !== schemaRestart && (from === undefined || resumeAt >= from)) {
        // That version replaced the schema; every version before it is complete.
        schemaRestart = from = resumeAt;
        current = null;
        continue;
      }
      if (!RETRY_CODES.has(err.code) || Date.now() - lastProgress > reconnectForMs) throw err;
      at += 1;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 1000);
    }
  }
}
