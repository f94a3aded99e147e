// quiver's own actions (drop, history, import, maintenance, cluster-status, cluster-config,
// cache-clear) as typed calls over FlightClient.doAction. The request and response types are the
// ones the server answers with (src/wire/admin-actions.ts), so the CLI and any other tool use
// these instead of writing JSON bodies and casting results themselves.
import type { CallOptions } from './calls.ts';
import type { FlightClient } from './flight-client.ts';
import {
  decodeActionResult,
  encodeActionBody,
  type CacheClearResponse,
  type ClusterConfigRequest,
  type ClusterConfigResponse,
  type ClusterStatusResponse,
  type DropResponse,
  type HistoryEntry,
  type ImportRequest,
  type ImportResponse,
  type MaintenanceRequest,
  type MaintenanceResult,
} from '../wire/admin-actions.ts';

/**
 * quiver's administrative actions as typed calls; the server's answers have exactly these types.
 * Build one over a connected FlightClient: `new AdminClient(client)`.
 */
export class AdminClient {
  /** Sends the actions on `flight`, so its credentials and middleware apply. */
  constructor(private readonly flight: FlightClient) {}

  /** Drops a table and all its versions. */
  async drop(table: string, options?: CallOptions): Promise<DropResponse> {
    return this.one<DropResponse>('drop', { table }, options);
  }

  /** The retained versions of a table, oldest first. */
  async history(table: string, options?: CallOptions): Promise<HistoryEntry[]> {
    return this.all<HistoryEntry>('history', { table }, options);
  }

  /** Commits Parquet files from the server's import directory to a table as one version. */
  async import(request: ImportRequest, options?: CallOptions): Promise<ImportResponse> {
    return this.one<ImportResponse>('import', request, options);
  }

  /** Runs maintenance on the leader; yields each step as it finishes, then the report. */
  async *maintenance(request: MaintenanceRequest = {}, options?: CallOptions): AsyncGenerator<MaintenanceResult> {
    for await (const body of this.flight.doAction('maintenance', encodeActionBody(request), options)) yield decodeActionResult<MaintenanceResult>(body);
  }

  /** The asked server's view of its cluster (or that it runs alone). */
  async clusterStatus(options?: CallOptions): Promise<ClusterStatusResponse> {
    return this.one<ClusterStatusResponse>('cluster-status', null, options);
  }

  /** The cluster's shared settings; with a change, sets and removes settings first. */
  async clusterConfig(change?: ClusterConfigRequest, options?: CallOptions): Promise<ClusterConfigResponse> {
    return this.one<ClusterConfigResponse>('cluster-config', change ?? null, options);
  }

  /** Empties the server's cache of decoded data files. */
  async clearCache(options?: CallOptions): Promise<CacheClearResponse> {
    return this.one<CacheClearResponse>('cache-clear', null, options);
  }

  private async all<T>(type: string, request: unknown, options?: CallOptions): Promise<T[]> {
    const out: T[] = [];
    const body = request === null ? new Uint8Array(0) : encodeActionBody(request);
    for await (const result of this.flight.doAction(type, body, options)) out.push(decodeActionResult<T>(result));
    return out;
  }

  private async one<T>(type: string, request: unknown, options?: CallOptions): Promise<T> {
    const [first] = await this.all<T>(type, request, options);
    if (first === undefined) throw new Error(`the server answered ${type} with no result`);
    return first;
  }
}
