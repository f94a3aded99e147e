// A ZooKeeper session as quiver's recipes need it: promises, one state machine, and a clear
// signal when the session they built their ephemeral nodes on is gone.
//
//   connecting --> connected <--> suspended --> lost --> connected (a NEW session)
//                                                  \--> closed (close())
//
// Why not use node-zookeeper-client's own state: it has no read timeout, so a client attached to
// a frozen server (SIGSTOP, a hung JVM) stays "connected" with requests pending while the
// ensemble expires its session. Here a heartbeat with a deadline moves the session to SUSPENDED
// and drops the socket, so that the library reconnects (to another member, if there is one);
// and if no reconnection succeeds within the session timeout the session is declared LOST and a
// new client with a new session is built, like Curator's injected expiry. LOST also follows a
// real expiry reported by the server. Recipes rebuild their nodes on `newSession`.
//
// Requests are only handed to the library while CONNECTED: it would otherwise queue them and
// send them whenever it reconnects, long after the caller gave up on them.
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import zookeeper, { type ACL, type Client, type QueuedRequest, type Stat, type TransactionOp, type TransactionResult } from 'node-zookeeper-client';
import { CoordinationUnavailableError } from '../coordinator.ts';
import { ConnectionLossError, MultiError, ZK, fromLibrary, isZkCode } from './zk-errors.ts';

export type SessionState = 'connecting' | 'connected' | 'suspended' | 'lost' | 'closed';

export interface SessionChange {
  state: SessionState;
  /** Hex id of the session, once one is established. */
  sessionId: string | null;
  /** On 'connected': the session is not the one before (first connect, or after LOST). */
  newSession: boolean;
}

export interface SessionOptions {
  /** host:port[,host:port...] */
  connect: string;
  /** Requested session timeout; the server clamps it to [2, 20] ticks. */
  sessionTimeoutMs?: number;
  /** How long a request waits for a connected session before failing unsent. */
  connectWaitMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /**
   * ZooKeeper digest credentials: the session authenticates with them, and every node it
   * creates at or below `securedRoot` gets an ACL that admits them alone, so another client of
   * the ensemble can neither write nor delete quiver's nodes (nodes above it stay open: several
   * clusters share /quiver, each with its own credentials).
   */
  auth?: { user: string; password: string };
  securedRoot?: string;
  /**
   * How long the requests a replica makes while it starts (ensurePath, secureExisting) keep
   * retrying through lost connections (a member restarting, ZooKeeper briefly unreachable)
   * before the start fails. Default 60 s.
   */
  startTimeoutMs?: number;
}

const DEFAULT_START_TIMEOUT_MS = 60_000;
const START_RETRY_FIRST_MS = 100;
const START_RETRY_MAX_MS = 2000;

export type Watch = () => void;

/** A multi op with an explicit expected version: -1 only when the caller says so. */
export type MultiOp =
  | { op: 'check'; path: string; version: number }
  | { op: 'setData'; path: string; data: Buffer; version: number }
  | { op: 'create'; path: string; data: Buffer; mode?: number }
  | { op: 'remove'; path: string; version: number };

const OP_CODES = { create: 1, remove: 2, setData: 5, sync: 9, check: 13 } as const;
const ERROR_RESULT = -1;

/**
 * node-zookeeper-client has no sync(), and its reply parser drops the connection on an opcode it
 * does not know. So the request goes through its own queue (keeping it in order with every other
 * request of the session) with sync's opcode on the wire, while the header it keeps for the
 * reply says `delete`: like sync's reply, delete's carries nothing the library needs to parse
 * (its path is ignored; each reply is a frame of its own).
 */
function syncRequest(path: string): QueuedRequest {
  return {
    header: { xid: 0, type: OP_CODES.remove },
    payload: null,
    toBuffer() {
      const p = Buffer.from(path);
      const out = Buffer.alloc(4 + 8 + 4 + p.length);
      out.writeInt32BE(out.length - 4, 0);
      out.writeInt32BE(this.header.xid, 4);
      out.writeInt32BE(OP_CODES.sync, 8);
      out.writeInt32BE(p.length, 12);
      p.copy(out, 16);
      return out;
    },
  };
}

export class ZkSession extends EventEmitter<{ state: [SessionChange] }> {
  private client!: Client;
  private generation = 0;
  private current: SessionState = 'connecting';
  private lastSessionId: string | null = null;
  private negotiatedTimeout: number;
  private readonly inFlight = new Set<(e: Error) => void>();
  private heartbeat: NodeJS.Timeout | undefined;
  private beatOutstanding = false;
  private beatDeadline: NodeJS.Timeout | undefined;
  private lostTimer: NodeJS.Timeout | undefined;
  private reconnectKick: NodeJS.Timeout | undefined;
  private readonly log: NonNullable<SessionOptions['log']>;

  private readonly securedAcls: ACL[];

  private constructor(private readonly options: SessionOptions) {
    super();
    this.securedAcls = options.auth ? [digestAcl(options.auth.user, options.auth.password)] : zookeeper.ACL.OPEN_ACL_UNSAFE;
    this.negotiatedTimeout = options.sessionTimeoutMs ?? 10_000;
    this.log = options.log ?? (() => {});
  }

  /** Connects and resolves once the first session is established. */
  static async open(options: SessionOptions, waitMs = options.startTimeoutMs ?? 30_000): Promise<ZkSession> {
    const session = new ZkSession(options);
    session.build();
    try {
      await session.whenConnected(waitMs);
    } catch (e) {
      await session.close();
      throw new CoordinationUnavailableError(`could not connect to ZooKeeper at ${options.connect} within ${waitMs} ms: ${unreachableHint(options.connect)}`, e);
    }
    return session;
  }

  /**
   * Runs `attempt` (a start-time request that is safe to repeat) until it succeeds, retrying with
   * backoff through lost connections, until the start timeout; then fails naming the connect
   * string and what to check. A start that meets a member restart or a brief outage waits it out
   * instead of exiting on the first CONNECTION_LOSS.
   */
  async retryingStart<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    const timeoutMs = this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    let delay = START_RETRY_FIRST_MS;
    let failures = 0;
    for (;;) {
      try {
        return await attempt();
      } catch (e) {
        if (!(e instanceof ConnectionLossError)) throw e;
        failures++;
        const left = deadline - Date.now();
        if (left <= 0 || this.current === 'closed') {
          throw new CoordinationUnavailableError(
            `could not ${what}: ZooKeeper at ${this.options.connect} did not answer within the start timeout of ${timeoutMs} ms (${failures} attempts; last: ${e.message}; session ${this.current}): ${unreachableHint(this.options.connect)}`,
            e,
          );
        }
        this.log('zookeeper request failed while starting; retrying', { what, attempt: failures, error: e.message, retryInMs: Math.min(delay, left) });
        await new Promise((r) => setTimeout(r, Math.min(delay, left)));
        delay = Math.min(delay * 2, START_RETRY_MAX_MS);
        // Then wait (within the deadline) for a connection rather than fail at once again.
        await this.whenConnected(Math.max(1, deadline - Date.now())).catch(() => {});
      }
    }
  }

  get state(): SessionState {
    return this.current;
  }

  /** Hex id of the current session (of the last one while not connected). */
  get sessionId(): string | null {
    return this.lastSessionId;
  }

  /** The session timeout the server granted. */
  get sessionTimeoutMs(): number {
    return this.negotiatedTimeout;
  }

  whenConnected(timeoutMs = this.options.connectWaitMs ?? this.negotiatedTimeout * 2): Promise<void> {
    if (this.current === 'connected') return Promise.resolve();
    if (this.current === 'closed') return Promise.reject(new ConnectionLossError('/', false, 'session closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('state', onState);
        reject(new ConnectionLossError('/', false, `not connected within ${timeoutMs} ms (state ${this.current})`));
      }, timeoutMs);
      const onState = (c: SessionChange) => {
        if (c.state !== 'connected' && c.state !== 'closed') return;
        clearTimeout(timer);
        this.off('state', onState);
        if (c.state === 'connected') resolve();
        else reject(new ConnectionLossError('/', false, 'session closed'));
      };
      this.on('state', onState);
    });
  }

  async close(): Promise<void> {
    if (this.current === 'closed') return;
    this.stopTimers();
    this.setState('closed', false);
    const client = this.client;
    const socket = client.connectionManager.socket;
    this.abandon();
    // A polite closeSession lets the ensemble delete our ephemeral nodes at once instead of
    // after the session timeout; wait briefly for it, then cut the socket regardless.
    client.close();
    if (socket && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      socket.destroy();
    }
  }

  // ---- requests ----

  async exists(path: string, watch?: Watch): Promise<Stat | null> {
    return this.request(path, (c, done) => c.exists(path, watch && (() => watch()), (e, stat) => done(e, stat ?? null)));
  }

  /** Data and stat, or null when the node does not exist. */
  async getData(path: string, watch?: Watch): Promise<{ data: Buffer; stat: Stat } | null> {
    try {
      return await this.request(path, (c, done) =>
        c.getData(path, watch && (() => watch()), (e, data, stat) => done(e, { data: data ?? Buffer.alloc(0), stat })),
      );
    } catch (e) {
      if (isZkCode(e, ZK.NO_NODE)) return null;
      throw e;
    }
  }

  async getChildren(path: string, watch?: Watch): Promise<string[]> {
    return this.request(path, (c, done) => c.getChildren(path, watch && (() => watch()), (e, children) => done(e, children)));
  }

  /** Never retried: a lost reply surfaces as ConnectionLossError (see protected-create.ts). */
  async create(path: string, data: Buffer, mode: number = zookeeper.CreateMode.PERSISTENT): Promise<string> {
    return this.request(path, (c, done) => c.create(path, data, this.aclFor(path), mode, (e, created) => done(e, created)));
  }

  async setData(path: string, data: Buffer, version: number): Promise<Stat> {
    return this.request(path, (c, done) => c.setData(path, data, version, (e, stat) => done(e, stat)));
  }

  async remove(path: string, version = -1): Promise<void> {
    return this.request(path, (c, done) => c.remove(path, version, (e) => done(e, undefined)));
  }

  /**
   * ZooKeeper's sync: resolves once the member this session talks to has applied every write
   * the ensemble committed before the sync reached its leader, so that a read sent after it
   * on this session sees them. (A member may otherwise lag; reads are served locally.)
   */
  async sync(path = '/'): Promise<void> {
    return this.request(path, (c, done) => c.connectionManager.queue(syncRequest(path), (e) => done(e, undefined)));
  }

  /**
   * Creates `path` and its missing parents as empty persistent nodes. Lost connections are
   * retried with backoff up to the start timeout (see retryingStart): each step is idempotent.
   */
  async ensurePath(path: string): Promise<void> {
    return this.retryingStart(`create ${path}`, async () => {
      let at = '';
      for (const part of path.split('/').filter(Boolean)) {
        at += `/${part}`;
        if (await this.exists(at)) continue;
        try {
          await this.create(at, Buffer.alloc(0));
        } catch (e) {
          // A lost reply may have created it: the retry's exists() tells.
          if (!isZkCode(e, ZK.NODE_EXISTS)) throw e;
        }
      }
    });
  }

  /**
   * One atomic multi with the versions exactly as given. The library's transaction builder
   * turns version 0 into -1 (`version || -1`), silently making a compare-and-set on a fresh
   * node unconditional; so the ops are handed to the wire encoder directly.
   */
  async multi(ops: MultiOp[]): Promise<TransactionResult[]> {
    const raw: TransactionOp[] = ops.map((o) => {
      switch (o.op) {
        case 'check':
          return { type: OP_CODES.check, path: o.path, version: o.version };
        case 'setData':
          return { type: OP_CODES.setData, path: o.path, data: o.data, version: o.version };
        case 'remove':
          return { type: OP_CODES.remove, path: o.path, version: o.version };
        case 'create':
          return { type: OP_CODES.create, path: o.path, data: o.data, acls: this.aclFor(o.path), mode: o.mode ?? zookeeper.CreateMode.PERSISTENT };
      }
    });
    const where = ops.map((o) => o.path).join(', ');
    return this.request(where, (c, done) => {
      const txn = c.transaction();
      txn.ops = raw;
      txn.commit((error, results) => {
        if (error && results) {
          const index = results.findIndex((r) => r.type === ERROR_RESULT && r.err !== 0);
          const failed = results[index];
          if (failed?.err !== undefined && failed.err !== ZK.CONNECTION_LOSS) {
            done(null, [], new MultiError(failed.err, index, ops[index]?.path ?? where));
            return;
          }
        }
        done(error, results ?? []);
      });
    });
  }

  /** The ACL a node created at `path` gets. */
  private aclFor(path: string): ACL[] {
    const root = this.options.securedRoot;
    return root === undefined || path === root || path.startsWith(`${root}/`) ? this.securedAcls : zookeeper.ACL.OPEN_ACL_UNSAFE;
  }

  /**
   * Gives the nodes under the secured root that are still open (created before credentials were
   * configured) the secured ACL, so turning --zk-auth on protects an existing cluster too.
   */
  async secureExisting(): Promise<number> {
    const root = this.options.securedRoot;
    if (!this.options.auth || root === undefined) return 0;
    // Every step is idempotent (an ACL set twice is the same ACL), so a lost connection retries.
    return this.retryingStart(`secure the nodes under ${root}`, () => this.secureExistingOnce(root));
  }

  private async secureExistingOnce(root: string): Promise<number> {
    // A secured root admits no one else, so nothing open can have been created under it since:
    // the walk (a request per node) runs once, when credentials are first turned on.
    const rootAcls = await this.request<ACL[]>(root, (c, done) => c.getACL(root, (e, a) => done(e, a)));
    if (!rootAcls.some((a) => a.id.scheme === 'world')) return 0;
    let changed = 0;
    const pending = [root];
    while (pending.length > 0) {
      const at = pending.pop()!;
      let acls: ACL[];
      try {
        for (const child of await this.getChildren(at)) pending.push(`${at}/${child}`);
        if (at === root) continue; // secured last, so that a walk cut short is run again
        acls = await this.request(at, (c, done) => c.getACL(at, (e, a) => done(e, a)));
        if (acls.some((a) => a.id.scheme === 'world')) {
          await this.request(at, (c, done) => c.setACL(at, this.securedAcls, -1, (e) => done(e, undefined)));
          changed++;
        }
      } catch (e) {
        if (!isZkCode(e, ZK.NO_NODE)) throw e; // an ephemeral node gone meanwhile
      }
    }
    await this.request(root, (c, done) => c.setACL(root, this.securedAcls, -1, (e) => done(e, undefined)));
    return changed + 1;
  }

  // ---- connection handling ----

  private request<T>(path: string, send: (client: Client, done: (error: unknown, value: T, failure?: Error) => void) => void): Promise<T> {
    // SUSPENDED is usually a reconnect to another member, worth waiting for; LOST means no
    // member answered for a whole session timeout (no quorum, or ZooKeeper down), so callers
    // hear it at once rather than after connectWaitMs: reads fall back to what is immutable,
    // writes are refused with UNAVAILABLE while the client can still retry elsewhere.
    return this.whenConnected(this.current === 'lost' ? 0 : undefined).then(
      () =>
        new Promise<T>((resolve, reject) => {
          const generation = this.generation;
          let settled = false;
          const fail = (e: Error) => {
            if (settled) return;
            settled = true;
            this.inFlight.delete(fail);
            reject(e);
          };
          this.inFlight.add(fail);
          send(this.client, (error, value, failure) => {
            if (settled) return;
            if (failure) return fail(failure);
            if (error) {
              const e = fromLibrary(error as Parameters<typeof fromLibrary>[0], path);
              return fail(generation === this.generation ? e : new ConnectionLossError(path, true, 'session replaced'));
            }
            settled = true;
            this.inFlight.delete(fail);
            resolve(value);
          });
        }),
      () => {
        throw new ConnectionLossError(path, false, `not connected (state ${this.current})`);
      },
    );
  }

  private build(): void {
    this.generation += 1;
    const generation = this.generation;
    const client = zookeeper.createClient(this.options.connect, {
      sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
      spinDelay: 200,
      // Never let the library resend a request whose reply was lost: a create would run twice.
      retries: 0,
    });
    this.client = client;
    // Sent on every (re)connection of this client, before any request.
    if (this.options.auth) client.addAuthInfo('digest', Buffer.from(`${this.options.auth.user}:${this.options.auth.password}`));
    client.on('connected', () => generation === this.generation && this.onConnected());
    client.on('disconnected', () => generation === this.generation && this.onDisconnected());
    client.on('expired', () => generation === this.generation && this.onExpired());
    client.connect();
    this.startReconnectKicks();
  }

  private onConnected(): void {
    if (this.current === 'closed') return;
    const id = this.client.getSessionId().toString('hex');
    const newSession = id !== this.lastSessionId;
    this.lastSessionId = id;
    this.negotiatedTimeout = this.client.getSessionTimeout();
    this.stopTimers();
    this.setState('connected', newSession);
    this.heartbeat = setInterval(() => this.beat(), Math.max(100, Math.floor(this.negotiatedTimeout / 3)));
  }

  private onDisconnected(): void {
    if (this.current === 'connected') this.suspend('connection closed');
  }

  private onExpired(): void {
    if (this.current === 'closed') return;
    this.log('zookeeper session expired', { sessionId: this.lastSessionId });
    this.declareLost();
  }

  /** One round trip with a deadline; no reply in time means this server is not serving us. */
  private beat(): void {
    if (this.current !== 'connected' || this.beatOutstanding) return;
    this.beatOutstanding = true;
    const generation = this.generation;
    const deadline = (this.beatDeadline = setTimeout(() => {
      if (generation !== this.generation || this.current !== 'connected') return;
      this.suspend(`no heartbeat reply within ${Math.floor(this.negotiatedTimeout / 2)} ms`);
    }, Math.floor(this.negotiatedTimeout / 2)));
    this.client.exists('/', undefined, () => {
      clearTimeout(deadline);
      if (generation === this.generation) this.beatOutstanding = false;
    });
  }

  private suspend(reason: string): void {
    this.log('zookeeper connection suspended', { reason, sessionId: this.lastSessionId });
    this.stopTimers();
    this.setState('suspended', false);
    // Requests sent on the stalled connection get CONNECTION_LOSS from the library when the
    // socket goes; the library then reconnects, trying the next member.
    this.client.connectionManager.socket?.destroy();
    this.lostTimer = setTimeout(() => this.declareLost(), this.negotiatedTimeout);
    this.startReconnectKicks();
  }

  private declareLost(): void {
    if (this.current === 'closed' || this.current === 'lost') return;
    this.stopTimers();
    this.setState('lost', false);
    const old = this.client;
    this.abandon();
    old.close();
    silence(old);
    old.connectionManager.socket?.destroy();
    this.build();
  }

  /**
   * The library clears its connect timeout once TCP connects, so a frozen server that accepts
   * the connection but never answers the handshake holds it forever; cut such attempts.
   */
  private startReconnectKicks(): void {
    clearInterval(this.reconnectKick);
    const generation = this.generation;
    this.reconnectKick = setInterval(() => {
      if (generation !== this.generation || this.current === 'connected' || this.current === 'closed') return;
      this.client.connectionManager.socket?.destroy();
    }, Math.max(500, Math.floor(this.negotiatedTimeout / 2)));
  }

  /** Forgets the current client: its pending requests fail, its late events are ignored. */
  private abandon(): void {
    this.generation += 1;
    this.beatOutstanding = false;
    const failures = [...this.inFlight];
    this.inFlight.clear();
    for (const fail of failures) fail(new ConnectionLossError('/', true, 'session replaced'));
  }

  private stopTimers(): void {
    clearInterval(this.heartbeat);
    clearTimeout(this.beatDeadline);
    clearTimeout(this.lostTimer);
    clearInterval(this.reconnectKick);
    this.heartbeat = this.beatDeadline = this.lostTimer = this.reconnectKick = undefined;
    this.beatOutstanding = false;
  }

  private setState(state: SessionState, newSession: boolean): void {
    if (this.current === state && !newSession) return;
    this.current = state;
    this.emit('state', { state, sessionId: this.lastSessionId, newSession });
  }
}

/**
 * Makes an abandoned client unable to reach ZooKeeper again. close() alone does not: a reconnect
 * the library has already scheduled (it waits up to spinDelay between rounds of members) still
 * opens a socket after close() and sends a ConnectRequest with the old session's id, which
 * revives that session if the ensemble has not expired it yet, and with it the old election
 * node, which then sits ahead of this replica's new one. So the scheduled connection is cut the
 * moment it opens, and the library's reconnect loop is turned off.
 */
function silence(client: Client): void {
  const manager = client.connectionManager as unknown as { connect: () => void; onSocketConnected: () => void; socket?: { destroy(): void } };
  manager.connect = () => {};
  manager.onSocketConnected = function (this: typeof manager) {
    this.socket?.destroy();
  };
}

/** What to check when ZooKeeper at `connect` does not answer. */
function unreachableHint(connect: string): string {
  return `check that the ZooKeeper members ${connect} are running and reachable from this host (e.g. \`echo srvr | nc HOST PORT\` answers), that a majority of the ensemble is up, and that --zk lists the right host:port pairs`;
}

/** ZooKeeper's digest identity: user:base64(sha1(user:password)), as its DigestAuthenticationProvider computes it. */
function digestAcl(user: string, password: string): ACL {
  const digest = createHash('sha1').update(`${user}:${password}`).digest('base64');
  return new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('digest', `${user}:${digest}`));
}
