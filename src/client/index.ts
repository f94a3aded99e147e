// quiver/client: a typed Arrow Flight client for quiver or any other Flight server.
//
// Three levels, from friendliest to rawest:
//   FlightClient                 RecordBatches and Tables in and out, AbortSignal on every call,
//                                endpoints and locations followed by readTable(), DoExchange,
//                                the standard actions (cancel, renew, session options),
//                                middleware and cookies, follow() (the change feed)
//   AdminClient                  quiver's own actions (drop, history, import, maintenance,
//                                cluster-status, cluster-config) typed, over a FlightClient
//   createFlightServiceClient    the typed grpc-js stub (FlightServiceClient: the generated type,
//                                its DoGet/DoPut/DoExchange carrying FlightDataMessage) with
//                                quiver's zero-copy FlightData codec and Flight-sized channel limits
//   encodeFlightData / decodeFlightData, encodeMessage / decodeMessage
//                                FlightData and the other protocol messages as bytes
// Every failure is a FlightError carrying the gRPC status code. Batches with LZ4 frame or zstd
// compressed bodies are read too: importing this module registers both codecs with arrow-js.
import '../arrow/compression-codecs.ts';
export { FlightClient } from './flight-client.ts';
export { AdminClient } from './admin-client.ts';
export { MAINTENANCE_TASKS, type CacheClearResponse, type CompactionStepResult, type ConversionStepResult, type ExpiryStepResult, type GcStepResult, type ClusterConfigRequest, type ClusterConfigResponse, type ClusterStatusResponse, type DropResponse, type HistoryEntry, type ImportMode, type ImportRequest, type ImportResponse, type MaintenanceReport, type MaintenanceRequest, type MaintenanceResult, type MaintenanceStep, type MaintenanceTask, type MemberInfo } from '../wire/admin-actions.ts';
export type { FlightClientOptions, PutOptions, PutOutcome, PutProgress, PutSource } from './flight-client.ts';
export { FlightError, statusName, type StatusName } from './flight-error.ts';
export { FlightRecordBatchStream, type FlightStreamItem } from './record-batch-stream.ts';
export { FlightExchange, type ExchangeOptions } from './exchange.ts';
export type { FollowItem, FollowOperation, FollowOptions, VersionMarker } from './follow.ts';
export { decodeVersionMarker } from '../wire/follow-marker.ts';
export { CookieJar, type CallDescription, type CallStatus, type ClientMiddleware } from './middleware.ts';
export type { CancelStatus, CloseSessionStatus, SessionOptionError, SessionOptionValue } from './standard-actions.ts';
export type { AppMetadataFor } from './record-batch-encoder.ts';
export type { CallOptions } from './calls.ts';
export type { WriteCompression } from '../arrow/compression-codecs.ts';
export type { BasicCredentials } from './handshake.ts';
export { REUSE_CONNECTION, parseLocation, type ParsedLocation } from '../wire/location.ts';
export { CHANNEL_DEFAULTS } from '../wire/channel-options.ts';
export { createFlightServiceClient, type TlsOptions } from '../wire/channel.ts';
export { decodeSchema, toDescriptor, type ActionType, type DescriptorInput, type FlightDescriptor, type FlightEndpoint, type FlightInfo, type PollInfo } from './types.ts';
export { flightService, encodeMessage, decodeMessage, type FlightServiceClient } from '../wire/protocol.ts';
export { encodeFlightData, decodeFlightData, type FlightDataMessage } from '../wire/flight-data.ts';
export { status as GrpcStatus } from '@grpc/grpc-js';
