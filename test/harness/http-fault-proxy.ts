// An HTTP proxy in front of an S3-compatible store that misbehaves on purpose, request by
// request, as a throttled or failing service does: fault-proxy.ts loses ZooKeeper frames and
// link-proxy cuts whole links; this one answers at the HTTP level, which is where S3 clients
// decide to retry. A fault is armed for the next N requests (of one method, if given):
//   'refuse'    answer `status` (503 SlowDown by default) without forwarding: throttling;
//   'lose'      forward, let the store apply the request, then cut the connection (or answer
//               `status`, when given) instead of passing its reply on: a reply lost on the way,
//               the case where a retry finds its own write;
//   'delay'     forward, and hold the store's reply for `delayMs`: a slow response.
// The Host header is passed on unchanged, so SigV4 signatures (which cover it) stay valid.
import http from 'node:http';
import type net from 'node:net';

export type HttpFault =
  | { kind: 'refuse'; status?: number }
  | { kind: 'lose'; status?: number }
  | { kind: 'delay'; delayMs: number };

interface Armed {
  fault: HttpFault;
  remaining: number;
  method?: string;
}

export class HttpFaultProxy {
  private readonly armed: Armed[] = [];
  /** Requests seen, as "METHOD path?query". */
  readonly seen: string[] = [];
  /** Requests a fault was applied to. */
  faulted = 0;

  private constructor(private readonly server: http.Server, readonly port: number, private readonly upstreamPort: number) {}

  static async start(upstreamPort: number): Promise<HttpFaultProxy> {
    let proxy!: HttpFaultProxy;
    const server = http.createServer((req, res) => proxy.handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    proxy = new HttpFaultProxy(server, (server.address() as net.AddressInfo).port, upstreamPort);
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The next `count` requests (of `method`, when given) suffer `fault`. */
  arm(fault: HttpFault, count = 1, method?: string): void {
    this.armed.push({ fault, remaining: count, ...(method ? { method } : {}) });
  }

  disarm(): void {
    this.armed.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private take(method: string): HttpFault | undefined {
    const a = this.armed.find((x) => x.remaining > 0 && (x.method === undefined || x.method === method));
    if (!a) return undefined;
    a.remaining--;
    this.faulted++;
    return a.fault;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.seen.push(`${req.method} ${req.url}`);
    const fault = this.take(req.method ?? '');
    if (fault?.kind === 'refuse') {
      req.resume();
      req.on('end', () => answer(res, fault.status ?? 503));
      return;
    }
    const upstream = http.request({ host: '127.0.0.1', port: this.upstreamPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
      if (fault?.kind === 'lose') {
        up.resume();
        up.on('end', () => (fault.status === undefined ? res.socket?.destroy() : answer(res, fault.status)));
        return;
      }
      const reply = () => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      };
      if (fault?.kind === 'delay') {
        up.pause();
        setTimeout(reply, fault.delayMs);
      } else reply();
    });
    upstream.on('error', () => {
      if (!res.headersSent) answer(res, 502);
      else res.destroy();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }
}

function answer(res: http.ServerResponse, status: number): void {
  if (res.destroyed) return;
  const code = status === 503 ? 'SlowDown' : status === 500 ? 'InternalError' : 'ServiceUnavailable';
  const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected by the test's fault proxy</Message></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
