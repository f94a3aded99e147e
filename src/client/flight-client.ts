// FlightClient: the friendly API over the raw stub. Arrow data goes in and out as apache-arrow
// RecordBatches and Tables; every call takes an AbortSignal; every failure is a FlightError.
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { Table, type RecordBatch, type Schema } from 'apache-arrow';
import type { FlightDataMessage } from '../wire/flight-data.ts';
import type { FlightServiceClient } from '../wire/protocol.ts';
import { grpcCallOptions, serverStream, unaryCall, type CallOptions } from './calls.ts';
import { createFlightServiceClient, type TlsOptions } from '../wire/channel.ts';
import { FlightError, cancelledError, toFlightError } from './flight-error.ts';
import { handshake, type BasicCredentials } from './handshake.ts';
import { isReuseConnection, parseLocation } from '../wire/location.ts';
import type { WriteCompression } from '../arrow/compression-codecs.ts';
import { encodeBatches, type AppMetadataFor } from './record-batch-encoder.ts';
import { FlightRecordBatchStream, type FlightStreamItem } from './record-batch-stream.ts';
import { resetStream } from '../wire/stream-reset.ts';
import { FlightExchange, type ExchangeOptions } from './exchange.ts';
import { followTable, type FollowItem, type FollowOptions } from './follow.ts';
import { FollowConnections, OWN_CONNECTION } from './follow-connections.ts';
import { CookieJar, middlewareInterceptor, type ClientMiddleware } from './middleware.ts';
import {
  cancelFlightInfoBody, cancelStatusOf, closeSessionStatusOf, onlyResult, renewFlightEndpointBody, renewedEndpointOf, sessionOptionsOf,
  setSessionOptionsBody, setSessionOptionsErrorsOf,
  type CancelStatus, type CloseSessionStatus, type SessionOptionError, type SessionOptionValue,
} from './standard-actions.ts';
import {
  decodeSchema, fromFlightInfo, fromPollInfo, toDescriptor, wireDescriptor,
  type ActionType, type DescriptorInput, type FlightEndpoint, type FlightInfo, type PollInfo, type WireFlightInfo, type WirePollInfo, type WireResult, type WireSchemaResult,
} from './types.ts';

/** Options of a {@link FlightClient}: TLS, credentials, headers, middleware and channel limits. */
export interface FlightClientOptions {
  tls?: TlsOptions;
  /** Basic credentials exchanged for a bearer token by connect() (and for other locations). */
  credentials?: BasicCredentials;
  /** A bearer token to send on every call, when the server issues tokens out of band. */
  token?: string;
  /** Extra grpc-js channel options, over the client's defaults. */
  channelOptions?: grpc.ChannelOptions;
  /** Hooks run on every call, in order (request headers, response headers, status). */
  middleware?: ClientMiddleware[];
  /**
   * Keep the cookies the server sets and send them back (default true). Servers name client
   * sessions with a cookie (session options); `client.cookies` is the jar.
   */
  cookies?: boolean;
}

/** Options of {@link FlightClient.doPut}. */
export interface PutOptions extends CallOptions {
  /** Needed only when the source may have no batches (a Table carries its own). */
  schema?: Schema;
  /** app_metadata to send with each batch; the server echoes it in that batch's PutResult. */
  appMetadata?: AppMetadataFor;
  /** Called for each PutResult as it arrives. */
  onResult?: (appMetadata: Uint8Array, index: number) => void;
  /** Called after each record batch has been handed to the transport. */
  onProgress?: (sent: PutProgress) => void;
  /** Send batch bodies LZ4 frame compressed (Arrow IPC body compression); zstd is read only. */
  compression?: WriteCompression;
}

/** How much of a DoPut has been sent so far. */
export interface PutProgress {
  batches: number;
  rows: number;
  /** Arrow IPC body bytes. */
  bytes: number;
}

/** What {@link FlightClient.doPut} reports once the server has ended the call with OK. */
export interface PutOutcome extends PutProgress {
  /** app_metadata of every PutResult, in order. */
  results: Uint8Array[];
  /** The PutResults that acknowledge batches: one per batch, from a server that sends them. */
  acks: Uint8Array[];
  /** A PutResult sent after the per-batch acknowledgements (how some servers report a commit). */
  commit: Uint8Array | null;
  /** The call's trailing metadata (quiver: `quiver-commit`, the committed version as JSON). */
  trailers: grpc.Metadata;
}

/** What {@link FlightClient.doPut} uploads: a Table, or record batches (sync or async). */
export type PutSource = Table | AsyncIterable<RecordBatch> | Iterable<RecordBatch>;

/**
 * A typed Arrow Flight client for quiver or any Flight server: RecordBatches and Tables in and out,
 * an AbortSignal and headers on every call, endpoints and locations followed by readTable().
 */
export class FlightClient {
  readonly location: string;
  private readonly stub: FlightServiceClient;
  private token: string | null;
  private readonly peers = new Map<string, Promise<FlightClient>>();
  /** Follow streams run on connections of their own (src/client/follow-connections.ts says why). */
  private readonly follows = new FollowConnections<FlightClient>();
  /** The cookies this client keeps (null with options.cookies = false). */
  readonly cookies: CookieJar | null;

  /**
   * A client of the server at `location` (`grpc+tcp://host:port` or `grpc+tls://host:port`).
     * The channel connects lazily; {@link FlightClient.connect} also runs the handshake.
   */
  constructor(location: string, private readonly options: FlightClientOptions = {}) {
    this.location = location;
    this.cookies = options.cookies === false ? null : new CookieJar();
    const middleware = [...(this.cookies ? [this.cookies] : []), ...(options.middleware ?? [])];
    const interceptors = middleware.length > 0 ? [middlewareInterceptor(middleware)] : [];
    this.stub = createFlightServiceClient(parseLocation(location), options.tls, options.channelOptions, interceptors);
    this.token = options.token ?? null;
  }

  /** A client for `location`, authenticated with options.credentials when given. */
  static async connect(location: string, options: FlightClientOptions = {}): Promise<FlightClient> {
    const client = new FlightClient(location, options);
    if (options.credentials) {
      try {
        await client.handshake(options.credentials);
      } catch (e) {
        client.close();
        throw e;
      }
    }
    return client;
  }

  /** The typed grpc-js stub under this client, for calls the friendly API lacks. */
  get raw(): FlightServiceClient {
    return this.stub;
  }

  /** Exchanges Basic credentials for a bearer token, sent on every later call. */
  async handshake(credentials: BasicCredentials, options: CallOptions = {}): Promise<string | null> {
    this.token = await handshake(this.stub, credentials, grpcCallOptions(options));
    return this.token;
  }

  /** ListFlights: the flights the server offers, optionally filtered by `criteria`. */
  async *listFlights(criteria: Uint8Array | string = new Uint8Array(0), options: CallOptions = {}): AsyncGenerator<FlightInfo> {
    const expression = typeof criteria === 'string' ? Buffer.from(criteria) : criteria;
    const call = this.stub.ListFlights({ expression }, this.metadata(options), grpcCallOptions(options));
    for await (const info of serverStream(call, options.signal)) yield fromFlightInfo(info);
  }

  /** GetFlightInfo: the endpoints, schema and size of a flight. */
  async getFlightInfo(descriptor: DescriptorInput, options: CallOptions = {}): Promise<FlightInfo> {
    const info = await unaryCall<WireFlightInfo>((cb) => this.stub.GetFlightInfo(wireDescriptor(descriptor), this.metadata(options), grpcCallOptions(options), cb), options.signal);
    return fromFlightInfo(info);
  }

  /** PollFlightInfo: the progress of a long-running query, and its endpoints so far. */
  async pollFlightInfo(descriptor: DescriptorInput, options: CallOptions = {}): Promise<PollInfo> {
    const poll = await unaryCall<WirePollInfo>((cb) => this.stub.PollFlightInfo(wireDescriptor(descriptor), this.metadata(options), grpcCallOptions(options), cb), options.signal);
    return fromPollInfo(poll);
  }

  /** GetSchema: the Arrow schema of a flight. */
  async getSchema(descriptor: DescriptorInput, options: CallOptions = {}): Promise<Schema> {
    const res = await unaryCall<WireSchemaResult>((cb) => this.stub.GetSchema(wireDescriptor(descriptor), this.metadata(options), grpcCallOptions(options), cb), options.signal);
    const schema = decodeSchema(res.schema);
    if (!schema) throw new FlightError(grpc.status.INTERNAL, `GetSchema for ${JSON.stringify(toDescriptor(descriptor))} returned no schema`);
    return schema;
  }

  /** The data of one ticket. Iterate it for RecordBatches, or its items() for app_metadata too. */
  doGet(ticket: Uint8Array | FlightEndpoint, options: CallOptions = {}): FlightRecordBatchStream {
    const bytes = ticket instanceof Uint8Array ? ticket : ticket.ticket;
    const call = this.stub.DoGet({ ticket: bytes }, this.metadata(options), grpcCallOptions(options));
    return new FlightRecordBatchStream(serverStream(call, options.signal));
  }

  /**
   * Every batch of a flight: each endpoint in turn, each from the first of its locations that
   * answers. A location that fails before delivering anything is skipped for the next one;
   * a failure after data has been delivered is thrown (retrying would repeat rows).
   */
  async *readBatches(flight: FlightInfo | DescriptorInput, options: CallOptions = {}): AsyncGenerator<FlightStreamItem> {
    const info = isFlightInfo(flight) ? flight : await this.getFlightInfo(flight, options);
    for (const endpoint of info.endpoints) yield* this.readEndpoint(endpoint, options);
  }

  /** All data of a flight (a FlightInfo, or a descriptor to get one for) as one Table. */
  async readTable(flight: FlightInfo | DescriptorInput, options: CallOptions = {}): Promise<Table> {
    const info = isFlightInfo(flight) ? flight : await this.getFlightInfo(flight, options);
    const batches: RecordBatch[] = [];
    for await (const item of this.readBatches(info, options)) if (item.batch) batches.push(item.batch);
    const schema = info.schema ?? batches[0]?.schema;
    if (!schema) throw new FlightError(grpc.status.INTERNAL, 'the flight has neither a schema nor any batches');
    return new Table(schema, batches);
  }

  /**
   * Follows a table's commits as they are acknowledged (the change feed, docs/follow.md): each
   * version's marker item, then the batches it changed, in commit order, until the loop stops
   * or `signal` aborts. A lost stream is followed again (from another replica if need be)
   * without missing or repeating anything.
   */
  follow(table: string, options: FollowOptions = {}): AsyncGenerator<FollowItem> {
    return followTable({
      location: this.location,
      getFlightInfo: async (d, o, uri) => (await this.clientFor(uri)).getFlightInfo(d, o),
      doGet: (endpoint, o, uri) => ({
        [Symbol.asyncIterator]: async function* (this: FlightClient) {
          const { client, release } = this.followConnection(uri);
          try {
            yield* client.doGet(endpoint, o).items();
          } finally {
            release();
          }
        }.bind(this),
      }),
    }, table, options);
  }

  /**
   * Uploads batches as one DoPut stream. Resolves when the server has ended the call with OK,
   * after every PutResult has been received.
   */
  async doPut(descriptor: DescriptorInput, source: PutSource, options: PutOptions = {}): Promise<PutOutcome> {
    const { signal } = options;
    if (signal?.aborted) throw cancelledError(signal);
    const { schema, batches } = await schemaAndBatches(source, options.schema);
    const call = this.stub.DoPut(this.metadata(options), grpcCallOptions(options));
    const results: Uint8Array[] = [];
    let trailers = new grpc.Metadata();
    const settled = new Promise<void>((resolve, reject) => {
      call.on('data', (r: { app_metadata: Buffer }) => {
        const md = new Uint8Array(r.app_metadata);
        results.push(md);
        options.onResult?.(md, results.length - 1);
      });
      call.on('error', reject);
      call.on('status', (s: grpc.StatusObject) => {
        trailers = s.metadata;
        if (s.code === grpc.status.OK) resolve();
      });
    });
    // Observed here so that a failure while we are still writing is never unhandled.
    settled.catch(() => undefined);
    const onAbort = () => resetStream(call);
    signal?.addEventListener('abort', onAbort, { once: true });
    // Rejects as soon as the call fails or the caller aborts, even while the source is stalled.
    const stopped = new Promise<never>((_, reject) => {
      settled.catch(reject);
      signal?.addEventListener('abort', () => reject(cancelledError(signal)), { once: true });
    });
    stopped.catch(() => undefined);
    const sent: PutProgress = { batches: 0, rows: 0, bytes: 0 };
    const d = wireDescriptor(descriptor);
    const messages = encodeBatches({ type: d.type, path: d.path, cmd: d.cmd }, schema, batches, options.appMetadata, options.compression);
    let sourceDone = false;
    try {
      for (;;) {
        let next: IteratorResult<{ message: FlightDataMessage; rows: number | null }>;
        try {
          next = await Promise.race([messages.next(), stopped]);
        } catch (e) {
          // The source failed (or a batch did not match the schema): the server must not commit.
          if (!signal?.aborted) resetStream(call);
          throw e;
        }
        if (next.done) break;
        const { message, rows } = next.value;
        if (!call.write(message)) await Promise.race([once(call, 'drain'), stopped]);
        if (rows === null) continue;
        sent.batches++;
        sent.rows += rows;
        sent.bytes += message.body.byteLength;
        options.onProgress?.({ ...sent });
      }
      sourceDone = true;
      call.end();
      await Promise.race([settled, stopped]);
    } catch (e) {
      if (signal?.aborted) throw cancelledError(signal);
      throw e instanceof FlightError || !isStatusError(e) ? e : toFlightError(e);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // A stalled source may never answer; its cleanup runs whenever it does.
      if (!sourceDone) messages.return(undefined).catch(() => undefined);
    }
    const acks = results.slice(0, sent.batches);
    const commit = results.length > sent.batches ? results[results.length - 1]! : null;
    return { ...sent, results, acks, commit, trailers };
  }

  /** Runs an action; yields the body of each Result. */
  async *doAction(type: string, body: Uint8Array | string = new Uint8Array(0), options: CallOptions = {}): AsyncGenerator<Uint8Array> {
    const call = this.stub.DoAction({ type, body: typeof body === 'string' ? Buffer.from(body) : body }, this.metadata(options), grpcCallOptions(options));
    for await (const result of serverStream<WireResult>(call, options.signal)) yield new Uint8Array(result.body);
  }

  /** ListActions: the actions the server supports. */
  async listActions(options: CallOptions = {}): Promise<ActionType[]> {
    const out: ActionType[] = [];
    const call = this.stub.ListActions({}, this.metadata(options), grpcCallOptions(options));
    for await (const a of serverStream(call, options.signal)) out.push({ type: a.type, description: a.description });
    return out;
  }

  /**
   * Opens a DoExchange: write batches with exchange.write(), end() when done, and read the
   * server's stream from the exchange (or exchange.items() for app_metadata) meanwhile.
   */
  doExchange(descriptor: DescriptorInput, options: ExchangeOptions = {}): FlightExchange {
    if (options.signal?.aborted) throw cancelledError(options.signal);
    const call = this.stub.DoExchange(this.metadata(options), grpcCallOptions(options));
    const d = wireDescriptor(descriptor);
    return new FlightExchange(call, { type: d.type, path: d.path, cmd: d.cmd }, options);
  }

  /** CancelFlightInfo: asks the server to stop the query behind a FlightInfo it issued. */
  async cancelFlightInfo(info: FlightInfo, options: CallOptions = {}): Promise<CancelStatus> {
    return cancelStatusOf(await this.standardAction('CancelFlightInfo', cancelFlightInfoBody(info), options));
  }

  /** RenewFlightEndpoint: the endpoint with a later expiration time, as the server grants it. */
  async renewFlightEndpoint(endpoint: FlightEndpoint, options: CallOptions = {}): Promise<FlightEndpoint> {
    return renewedEndpointOf(await this.standardAction('RenewFlightEndpoint', renewFlightEndpointBody(endpoint), options));
  }

  /**
   * SetSessionOptions: sets (or, with null, removes) options of this client's session, which the
   * server names with a cookie. Resolves with the options the server refused and why (empty
   * when all were taken).
   */
  async setSessionOptions(values: Record<string, SessionOptionValue | null>, options: CallOptions = {}): Promise<Record<string, SessionOptionError>> {
    return setSessionOptionsErrorsOf(await this.standardAction('SetSessionOptions', setSessionOptionsBody(values), options));
  }

  /** GetSessionOptions: this session's options (int64 values as bigint, doubles as number). */
  async getSessionOptions(options: CallOptions = {}): Promise<Record<string, SessionOptionValue>> {
    return sessionOptionsOf(await this.standardAction('GetSessionOptions', new Uint8Array(0), options));
  }

  /** CloseSession: ends this client's session on the server. */
  async closeSession(options: CallOptions = {}): Promise<CloseSessionStatus> {
    return closeSessionStatusOf(await this.standardAction('CloseSession', new Uint8Array(0), options));
  }

  /** Closes the channel (and those opened to other locations); calls in flight fail. */
  close(): void {
    this.stub.close();
    for (const peer of this.peers.values()) peer.then((p) => p.close(), () => undefined);
    this.peers.clear();
    this.follows.close();
  }

  private metadata(options: CallOptions = {}): grpc.Metadata {
    const md = new grpc.Metadata();
    if (this.token) md.set('authorization', `Bearer ${this.token}`);
    for (const [key, value] of Object.entries(options.headers ?? {})) md.add(key, typeof value === 'string' ? value : Buffer.from(value));
    return md;
  }

  private async standardAction(type: string, body: Uint8Array, options: CallOptions): Promise<Uint8Array> {
    const results: Uint8Array[] = [];
    for await (const r of this.doAction(type, body, options)) results.push(r);
    return onlyResult(type, results);
  }

  private async *readEndpoint(endpoint: FlightEndpoint, options: CallOptions): AsyncGenerator<FlightStreamItem> {
    const locations = endpoint.locations.length > 0 ? endpoint.locations : [this.location];
    const failures: string[] = [];
    let last: FlightError | null = null;
    for (const uri of locations) {
      let delivered = false;
      try {
        const client = await this.clientFor(uri);
        for await (const item of client.doGet(endpoint.ticket, options).items()) {
          delivered = true;
          yield item;
        }
        return;
      } catch (e) {
        const err = toFlightError(e);
        if (delivered || options.signal?.aborted) throw err;
        failures.push(`${uri}: ${err.message}`);
        last = err;
      }
    }
    if (locations.length === 1 && last) throw last;
    throw new FlightError(last?.code ?? grpc.status.UNAVAILABLE, `no location of the endpoint served its ticket (${failures.join('; ')})`, { cause: last });
  }

  /** A client of `uri` on a follow connection, with this client's credentials. */
  private followConnection(uri: string): { client: FlightClient; release: () => void } {
    const at = isReuseConnection(uri) ? this.location : uri;
    return this.follows.lease(`${at} ${this.token ?? ''}`, () => new FlightClient(at, {
      ...this.options,
      credentials: undefined,
      tls: parseLocation(at).tls ? this.options.tls : undefined,
      token: this.token ?? undefined,
      channelOptions: { ...this.options.channelOptions, ...OWN_CONNECTION },
    }));
  }

  /** This client for its own location (and reuse-connection), a cached peer client otherwise. */
  private clientFor(uri: string): Promise<FlightClient> {
    if (isReuseConnection(uri) || uri === this.location) return Promise.resolve(this);
    let peer = this.peers.get(uri);
    if (!peer) {
      const tls = parseLocation(uri).tls ? this.options.tls : undefined;
      peer = FlightClient.connect(uri, { ...this.options, tls, token: this.token ?? undefined });
      this.peers.set(uri, peer);
      peer.catch(() => this.peers.delete(uri));
    }
    return peer;
  }
}

function isFlightInfo(x: FlightInfo | DescriptorInput): x is FlightInfo {
  return typeof x === 'object' && 'endpoints' in x;
}

function isStatusError(e: unknown): boolean {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'number';
}

async function schemaAndBatches(source: PutSource, schema?: Schema): Promise<{ schema: Schema; batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch> }> {
  if (source instanceof Table) return { schema: schema ?? source.schema, batches: source.batches };
  if (schema) return { schema, batches: source };
  // Without a schema the first batch supplies it; it is then sent with the rest.
  const it = (Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source as Iterable<RecordBatch>)[Symbol.iterator]()) as AsyncIterator<RecordBatch> | Iterator<RecordBatch>;
  const first = await it.next();
  if (first.done) throw new FlightError(grpc.status.INVALID_ARGUMENT, 'doPut of an empty batch source needs options.schema');
  async function* rest(): AsyncGenerator<RecordBatch> {
    yield first.value;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  return { schema: first.value.schema, batches: rest() };
}
