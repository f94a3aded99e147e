// What the Flight handlers share: storage, who may call, where this server can be reached,
// and how long a version stays readable after it is superseded.
import type * as grpc from '@grpc/grpc-js';
import type { MaintenanceRunner } from '../storage/maintenance/runner.ts';
import type { TableStore } from '../storage/table-store.ts';
import type { Authenticator } from './auth.ts';
import type { EndpointLeases } from './endpoint-leases.ts';
import type { CallMiddleware } from './response-headers.ts';
import type { SessionOptionsStore } from './session-options.ts';
import type { Logger } from '../logger.ts';

export type { Logger } from '../logger.ts';

/** Hears of DoExchange lookups (metrics); optional. */
export interface LookupObserver {
  /** The handler's index cache, once, when the handler is built. */
  indexCache(cache: { readonly bytes: number }): void;
  /** Keys of one input batch were looked up. */
  looked(keys: number): void;
}

export interface FlightContext {
  store: TableStore;
  auth: Authenticator;
  log: Logger;
  /** Client sessions and their options (read-session.ts says what they mean). */
  sessions?: SessionOptionsStore;
  /** Run on every call before authentication (see handler-kit.ts). */
  middleware?: readonly CallMiddleware[];
  /** Memory for DoExchange lookup indexes (decoded tables and their key indexes). */
  lookupIndexBytes?: number;
  lookupObserver?: LookupObserver;
  /** Rows one DoExchange input batch may be answered with (over it: RESOURCE_EXHAUSTED). */
  maxLookupAnswerRows?: number;
  /** How long a call may wait on its client before it is reset (src/flight/limits-stall.ts). */
  stallTimeoutMs?: number;
  /**
   * Locations (grpc+tcp:// or grpc+tls://…) a FlightInfo endpoint lists: this server, or in a cluster every
   * live replica, rotated from call to call so that clients spread their reads.
   */
  locations(): Promise<string[]>;
  /**
   * Where writes go: null when this server commits them itself, else the leader's location to
   * forward them to; UNAVAILABLE when no replica can take writes right now.
   */
  writeLeader(): Promise<string | null>;
  /** How to reach another replica's grpc+tls:// location (the transport security this server uses). */
  peerCredentials?: () => grpc.ChannelCredentials;
  /** What this server knows of its cluster (or that it runs alone), for the cluster-status action. */
  clusterStatus(): Promise<ClusterReport>;
  leases: EndpointLeases;
  /**
   * A superseded version stays readable this long (and longer while an endpoint lease holds it).
   * This and the settings below can change while the server runs (a cluster's config node):
   * read them when needed, never copy them at start.
   */
  readonly retentionMs: number;
  /** Data files are grouped into endpoints of about this many Arrow bytes. */
  readonly endpointBytes: number;
  /** While true, DoPut, drop and import are refused (FAILED_PRECONDITION); reads go on. */
  readonly readOnly: boolean;
  /** Bytes a DoPut holds before writing a file; the app_metadata one DoPut keeps until its commit is held to it too. */
  readonly maxBufferedBytes?: number;
  /** Largest FlightData message (header + body + app_metadata bytes) a DoPut may send; -1: no limit. */
  readonly maxPutMessageBytes: number;
  /** The cluster-config action: the cluster's shared settings, shown and changed. */
  clusterConfig: ClusterConfigAccess;
  /** Where the import action may take Parquet files from; unset disables it. */
  importDir?: string;
  /** Expiry, compaction and orphan collection, for the maintenance action. */
  maintenance?: MaintenanceRunner;
}

export interface ClusterConfigReport {
  /** Version of the config node in force: -1 when there is none; null when not in a cluster. */
  version: number | null;
  /** What the config node sets (it wins over this replica's own flags). */
  cluster: Record<string, unknown>;
  /** The settings this replica works with now. */
  effective: Record<string, unknown>;
  /** The newest content of the node that was refused, and why (the settings above stay). */
  rejected?: { version: number; problem: string };
}

export interface ClusterConfigAccess {
  show(): Promise<ClusterConfigReport>;
  /** Sets and removes settings of the cluster's config node (every replica applies them). */
  update(set: Record<string, unknown>, unset: string[]): Promise<ClusterConfigReport>;
}

export interface ClusterReport {
  mode: 'local' | 'cluster';
  cluster?: string;
  self: { id?: string; location: string };
  isLeader: boolean;
  session?: string;
  sessionId?: string | null;
  leader: { id?: string; location: string } | null;
  /** `health`: the member's grpc.health.v1 status for "" (SERVING, NOT_SERVING, UNREACHABLE). */
  members: { id?: string; location: string; health?: string }[];
  config?: ClusterConfigReport;
  /** This replica's health: overall and for writes, and what stops it. */
  health?: { status: string; writes: string; problems: string[] };
}
