// A TCP forwarder in front of one server (a ZooKeeper member, a quiver replica's gRPC port) that
// a test can cut: the network link between two processes, as a partition breaks it, without
// touching either process. fault-proxy.ts loses one chosen ZooKeeper frame; this one loses the
// whole link, for as long as the test says, in one of two ways:
//   'reset'     every connection is closed and new ones are closed at once (a refused path);
//   'blackhole' every connection goes silent both ways and new ones are held open, silent (a
//               path that drops packets: only a deadline or heartbeat notices it).
// heal() closes what the cut held and forwards new connections again. The upstream port may
// change (a restarted server gets a new one) while the proxy's own port, which the other side
// was told, stays.
import net from 'node:net';

export type LinkCut = 'reset' | 'blackhole';

export class LinkProxy {
  private cut: LinkCut | null = null;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private upstreamPort: number,
  ) {}

  /** Listens on a free loopback port; `upstreamPort` may be set later with retarget(). */
  static async start(upstreamPort = 0): Promise<LinkProxy> {
    let proxy!: LinkProxy;
    const server = net.createServer((client) => proxy.accept(client));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    proxy = new LinkProxy(server, (server.address() as net.AddressInfo).port, upstreamPort);
    return proxy;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get state(): LinkCut | 'open' {
    return this.cut ?? 'open';
  }

  /** Forwards new connections to `upstreamPort`; connections to the old one are closed. */
  retarget(upstreamPort: number): void {
    this.upstreamPort = upstreamPort;
    this.closeAll();
  }

  sever(how: LinkCut): void {
    this.cut = how;
    if (how === 'reset') this.closeAll();
    // 'blackhole': the pipes check this.cut on every chunk and drop it.
  }

  heal(): void {
    if (this.cut === null) return;
    this.cut = null;
    // A blackholed connection lost bytes both ways: it cannot be resumed, only closed.
    this.closeAll();
  }

  async close(): Promise<void> {
    this.closeAll();
    await new Promise((r) => this.server.close(r));
  }

  private closeAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private track(s: net.Socket): net.Socket {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => s.destroy());
    return s;
  }

  private accept(client: net.Socket): void {
    this.track(client);
    if (this.cut === 'reset' || this.upstreamPort === 0) {
      client.destroy();
      return;
    }
    if (this.cut === 'blackhole') return; // held open, silent, until heal() closes it
    const upstream = this.track(net.connect(this.upstreamPort, '127.0.0.1'));
    const both = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', both);
    upstream.on('close', both);
    client.on('data', (d: Buffer) => {
      if (this.cut === null) upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      if (this.cut === null) client.write(d);
    });
  }
}
