// A TCP proxy between a ZooKeeper client and server that can lose one request or one reply on
// purpose, then cut the connection: the only deterministic way to produce CONNECTION_LOSS with
// a known outcome. It reads ZooKeeper's framing (4-byte length, then xid and op type).
import net from 'node:net';

// 'stall' freezes the proxy instead: the request and everything after it, on every connection,
// goes nowhere, and new connections are held silent, until thaw(): a hung network path.
export type Fault = 'drop-request' | 'drop-reply' | 'stall';

export class FaultProxy {
  private armed: { opType: number; fault: Fault; hit: () => void } | null = null;
  private readonly sockets = new Set<net.Socket>();
  private stalled = false;

  private constructor(private readonly server: net.Server, readonly connect: string) {}

  static async start(upstreamPort: number): Promise<FaultProxy> {
    let proxy!: FaultProxy;
    const server = net.createServer((client) => proxy.pipe(client, upstreamPort));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    proxy = new FaultProxy(server, `127.0.0.1:${(server.address() as net.AddressInfo).port}`);
    return proxy;
  }

  /** The next request of `opType` (1 create, 14 multi) suffers `fault`; resolves when it did. */
  arm(opType: number, fault: Fault): Promise<void> {
    return new Promise((hit) => (this.armed = { opType, fault, hit }));
  }

  /** Ends a stall: the connections it froze are cut (their lost frames make them unusable). */
  thaw(): void {
    this.stalled = false;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }

  private pipe(client: net.Socket, upstreamPort: number): void {
    if (this.stalled) {
      this.sockets.add(client);
      client.on('error', () => client.destroy());
      return;
    }
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', cut).on('error', cut);
    upstream.on('close', cut).on('error', cut);
    let swallowXid: number | null = null;
    frames(client, true, (frame, xid, type) => {
      if (this.stalled) return;
      const armed = this.armed;
      if (armed && type === armed.opType) {
        this.armed = null;
        if (armed.fault === 'stall') {
          this.stalled = true;
          armed.hit();
          return;
        }
        if (armed.fault === 'drop-request') {
          cut();
          armed.hit();
          return;
        }
        swallowXid = xid;
        upstream.write(frame);
        const hit = armed.hit;
        this.onSwallow = () => {
          cut();
          hit();
        };
        return;
      }
      upstream.write(frame);
    });
    frames(upstream, true, (frame, xid) => {
      if (this.stalled) return;
      if (swallowXid !== null && xid === swallowXid) {
        swallowXid = null;
        this.onSwallow?.();
        return;
      }
      client.write(frame);
    });
  }

  private onSwallow: (() => void) | undefined;
}

/** Calls `onFrame` per length-prefixed frame; the first frame of a connection is the handshake. */
function frames(socket: net.Socket, skipFirst: boolean, onFrame: (frame: Buffer, xid: number, type: number) => void): void {
  let pending = Buffer.alloc(0);
  let first = skipFirst;
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const size = pending.readInt32BE(0);
      if (pending.length < size + 4) break;
      const frame = pending.subarray(0, size + 4);
      pending = pending.subarray(size + 4);
      if (first) {
        first = false;
        onFrame(frame, NaN, NaN);
        continue;
      }
      onFrame(frame, frame.readInt32BE(4), size >= 8 ? frame.readInt32BE(8) : NaN);
    }
  });
}
