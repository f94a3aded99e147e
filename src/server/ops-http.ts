// The operations HTTP port (--metrics-port): Prometheus text at /metrics for scrapers, the
// status page at /status for people and its data at /status.json. Plain node:http, GET only,
// bound to the same interface as the Flight port.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void;

export class OpsHttpServer {
  private constructor(private readonly server: http.Server, readonly port: number) {}

  static async listen(host: string, port: number, routes: Record<string, Route>): Promise<OpsHttpServer> {
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const route = routes[url.pathname];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
        return;
      }
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found; try ${Object.keys(routes).join(', ')}\n`);
        return;
      }
      Promise.resolve(route(req, res)).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`${e instanceof Error ? e.message : String(e)}\n`);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return new OpsHttpServer(server, (server.address() as AddressInfo).port);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
