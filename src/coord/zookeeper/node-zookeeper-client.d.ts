// The part of node-zookeeper-client 1.1.3 that quiver uses, including the internals the session
// layer has to reach (the connection manager's socket and the transaction's op list): the
// library has no read timeout and a transaction builder that drops version 0.
declare module 'node-zookeeper-client' {
  import { EventEmitter } from 'node:events';
  import type { Socket } from 'node:net';

  export interface Stat {
    czxid: Buffer;
    mzxid: Buffer;
    ctime: Buffer;
    mtime: Buffer;
    version: number;
    cversion: number;
    aversion: number;
    ephemeralOwner: Buffer;
    dataLength: number;
    numChildren: number;
    pzxid: Buffer;
  }

  export class Exception extends Error {
    static readonly OK: 0;
    static readonly CONNECTION_LOSS: -4;
    static readonly NO_NODE: -101;
    static readonly BAD_VERSION: -103;
    static readonly NODE_EXISTS: -110;
    static readonly NOT_EMPTY: -111;
    static readonly SESSION_EXPIRED: -112;
    readonly code: number;
    getCode(): number;
    getName(): string;
  }

  export interface Event {
    type: number;
    name: string;
    path: string;
    getType(): number;
    getName(): string;
    getPath(): string;
  }

  export const CreateMode: {
    readonly PERSISTENT: 0;
    readonly EPHEMERAL: 1;
    readonly PERSISTENT_SEQUENTIAL: 2;
    readonly EPHEMERAL_SEQUENTIAL: 3;
  };

  export const State: {
    readonly DISCONNECTED: { name: string; code: number };
    readonly SYNC_CONNECTED: { name: string; code: number };
    readonly EXPIRED: { name: string; code: number };
  };

  /** One op of a multi as the wire encoder reads it (lib/jute TransactionRequest). */
  export interface TransactionOp {
    type: number;
    path: string;
    data?: Buffer;
    acls?: unknown[];
    mode?: number;
    version?: number;
  }

  export interface TransactionResult {
    type: number;
    path?: string;
    stat?: Stat;
    err?: number;
  }

  export class Transaction {
    ops: TransactionOp[];
    create(path: string, data?: Buffer, mode?: number): this;
    check(path: string, version?: number): this;
    setData(path: string, data: Buffer | null, version?: number): this;
    remove(path: string, version?: number): this;
    commit(callback: (error: Exception | null, results?: TransactionResult[]) => void): void;
  }

  /**
   * A request as the connection manager queues it: it assigns `header.xid`, keeps the request
   * for its reply unless `header.type` is a ping or auth, parses the reply by `header.type`,
   * and writes `toBuffer()` to the socket.
   */
  export interface QueuedRequest {
    header: { xid: number; type: number };
    payload: null;
    toBuffer(): Buffer;
  }

  export interface ConnectionManager {
    socket?: Socket;
    state: number;
    queue(request: QueuedRequest, callback: (error: Exception | null) => void): void;
  }

  export interface ClientOptions {
    sessionTimeout?: number;
    spinDelay?: number;
    retries?: number;
  }

  type Watcher = (event: Event) => void;

  export class Id {
    constructor(scheme: string, id: string);
    scheme: string;
    id: string;
  }

  export class ACL {
    constructor(permission: number, id: Id);
    permission: number;
    id: Id;
    static readonly OPEN_ACL_UNSAFE: ACL[];
  }

  export const Permission: { readonly READ: 1; readonly WRITE: 2; readonly CREATE: 4; readonly DELETE: 8; readonly ADMIN: 16; readonly ALL: 31 };

  export class Client extends EventEmitter {
    connectionManager: ConnectionManager;
    connect(): void;
    addAuthInfo(scheme: string, auth: Buffer): void;
    getACL(path: string, callback: (error: Exception | null, acls: ACL[], stat: Stat) => void): void;
    setACL(path: string, acls: ACL[], version: number, callback: (error: Exception | null, stat: Stat) => void): void;
    close(): void;
    getState(): { name: string; code: number };
    getSessionId(): Buffer;
    getSessionTimeout(): number;
    create(path: string, data: Buffer | undefined, mode: number, callback: (error: Exception | null, path: string) => void): void;
    create(path: string, data: Buffer | undefined, acls: ACL[], mode: number, callback: (error: Exception | null, path: string) => void): void;
    remove(path: string, version: number, callback: (error: Exception | null) => void): void;
    setData(path: string, data: Buffer, version: number, callback: (error: Exception | null, stat: Stat) => void): void;
    getData(path: string, watcher: Watcher | undefined, callback: (error: Exception | null, data: Buffer | undefined, stat: Stat) => void): void;
    exists(path: string, watcher: Watcher | undefined, callback: (error: Exception | null, stat: Stat | null) => void): void;
    getChildren(path: string, watcher: Watcher | undefined, callback: (error: Exception | null, children: string[], stat: Stat) => void): void;
    mkdirp(path: string, callback: (error: Exception | null, path: string) => void): void;
    transaction(): Transaction;
  }

  export function createClient(connectionString: string, options?: ClientOptions): Client;

  const zookeeper: {
    createClient: typeof createClient;
    ACL: typeof ACL;
    Id: typeof Id;
    Permission: typeof Permission;
    Exception: typeof Exception;
    CreateMode: typeof CreateMode;
    State: typeof State;
  };
  export default zookeeper;
}
