// What the Flight handlers share: storage, who may call, where this server can be reached,
// and how long a version stays readable after it is superseded.
import type * as grpc from '@grpc/grpc-js';
import type { TableStore } from '../storage/table-store.ts';
import type { Authenticator } from './auth.ts';
import type { EndpointLeases } from './endpoint-leases.ts';

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, error?: unknown, fields?: Record<string, unknown>): void;
}

export interface FlightContext {
  store: TableStore;
  auth: Authenticator;
  log: Logger;
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
  /** A superseded version stays readable this long (and longer while an endpoint lease holds it). */
  retentionMs: number;
  /** Data files are grouped into endpoints of about this many Arrow bytes. */
  endpointBytes: number;
  /** Where the import action may take Parquet files from; unset disables it. */
  importDir?: string;
}

export interface ClusterReport {
  mode: 'local' | 'cluster';
  cluster?: string;
  self: { id?: string; location: string };
  isLeader: boolean;
  session?: string;
  sessionId?: string | null;
  leader: { id?: string; location: string } | null;
  members: { id?: string; location: string }[];
}
