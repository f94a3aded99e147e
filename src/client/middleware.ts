// Client middleware: hooks that see every call a FlightClient makes (request headers going out,
// response headers and the final status coming back), as Arrow's C++/Java/Go/Python clients
// offer. Built on a grpc-js interceptor, so it applies to every method, the raw stub included.
import * as grpc from '@grpc/grpc-js';

/** One call, as middleware sees it. The same object is passed to every hook of that call. */
export interface CallDescription {
  /** The Flight method, e.g. "DoGet". */
  readonly method: string;
}

/** How a call ended, as {@link ClientMiddleware.callCompleted} sees it. */
export interface CallStatus {
  code: grpc.status;
  details: string;
  trailers: grpc.Metadata;
}

/**
 * Hooks for every call. They run inside grpc-js's call machinery and must not throw.
 * - `sendingHeaders` may add request headers.
 * - `receivedHeaders` gets the response headers, once per call. A response without headers (a
 *   "trailers-only" response, typical of a call refused before the server sent anything) passes
 *   its trailers instead, as Arrow's other clients do, so a header the server sets on every
 *   outcome is always seen here.
 * - `callCompleted` gets the final status.
 */
export interface ClientMiddleware {
  /** Called before a call starts; may add to its request headers. */
  sendingHeaders?(call: CallDescription, headers: grpc.Metadata): void;
  /** Called with the response headers of a call. */
  receivedHeaders?(call: CallDescription, headers: grpc.Metadata): void;
  /** Called once a call has ended, with its status and trailers. */
  callCompleted?(call: CallDescription, status: CallStatus): void;
}

/** The grpc-js interceptor that runs `middleware` on every call. */
export function middlewareInterceptor(middleware: readonly ClientMiddleware[]): grpc.Interceptor {
  return (options, nextCall) => {
    const call: CallDescription = { method: options.method_definition.path.split('/').pop() ?? '' };
    let headersSeen = false;
    const received = (headers: grpc.Metadata) => {
      if (headersSeen) return;
      headersSeen = true;
      for (const m of middleware) m.receivedHeaders?.(call, headers);
    };
    const requester = new grpc.RequesterBuilder()
      .withStart((metadata, listener, next) => {
        for (const m of middleware) m.sendingHeaders?.(call, metadata);
        const observing = new grpc.ListenerBuilder()
          .withOnReceiveMetadata((headers, nextHeaders) => {
            received(headers);
            nextHeaders(headers);
          })
          .withOnReceiveStatus((status, nextStatus) => {
            received(status.metadata);
            for (const m of middleware) m.callCompleted?.(call, { code: status.code, details: status.details, trailers: status.metadata });
            nextStatus(status);
          })
          .build();
        next(metadata, observing);
      })
      .build();
    return new grpc.InterceptingCall(nextCall(options), requester);
  };
}

/**
 * Keeps the cookies a server sets (`Set-Cookie` in response headers or trailers) and sends them
 * back as `Cookie` on later calls, as a browser would for one site. Flight servers name client
 * sessions this way (session options); Arrow Go's and Java's clients use the same middleware.
 * `Max-Age=0` or an `Expires` in the past removes a cookie; other attributes are ignored (all
 * calls of a client go to one server).
 */
export class CookieJar implements ClientMiddleware {
  private readonly cookies = new Map<string, { value: string; expires: number | null }>();

  /** Adds the cookies kept so far to the request headers. */
  sendingHeaders(_call: CallDescription, headers: grpc.Metadata): void {
    const now = Date.now();
    const pairs: string[] = [];
    for (const [name, c] of this.cookies) {
      if (c.expires !== null && c.expires <= now) this.cookies.delete(name);
      else pairs.push(`${name}=${c.value}`);
    }
    if (pairs.length > 0) headers.set('cookie', pairs.join('; '));
  }

  /** Keeps the cookies a response sets. */
  receivedHeaders(_call: CallDescription, headers: grpc.Metadata): void {
    this.take(headers);
  }

  /** Keeps the cookies a call's trailers set. */
  callCompleted(_call: CallDescription, status: CallStatus): void {
    // A server may set a cookie in the trailers of a call that also sent headers.
    this.take(status.trailers);
  }

  /** The cookies held now, name to value. */
  get current(): Record<string, string> {
    const now = Date.now();
    return Object.fromEntries([...this.cookies].filter(([, c]) => c.expires === null || c.expires > now).map(([n, c]) => [n, c.value]));
  }

  /** Forgets every cookie. */
  clear(): void {
    this.cookies.clear();
  }

  private take(headers: grpc.Metadata): void {
    for (const header of headers.get('set-cookie')) this.set(String(header));
  }

  private set(header: string): void {
    const [pair, ...attributes] = header.split(';');
    const eq = pair!.indexOf('=');
    if (eq <= 0) return;
    const name = pair!.slice(0, eq).trim();
    const value = pair!.slice(eq + 1).trim();
    let expires: number | null = null;
    for (const attribute of attributes) {
      const [key, raw = ''] = attribute.split('=', 2).map((s) => s.trim());
      if (key!.toLowerCase() === 'max-age' && /^-?\d+$/.test(raw)) expires = Date.now() + Number(raw) * 1000;
      else if (key!.toLowerCase() === 'expires' && expires === null && !Number.isNaN(Date.parse(raw))) expires = Date.parse(raw);
    }
    if (expires !== null && expires <= Date.now()) this.cookies.delete(name);
    else this.cookies.set(name, { value, expires });
  }
}
