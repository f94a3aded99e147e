// Response headers of one call, and the per-call middleware that fills them. Middleware runs
// before authentication, so what it sets reaches the client on every outcome: with the first
// response message, or, when the call fails before anything was sent, in the trailers-only
// error response (clients such as arrow-go and Arrow Java read those trailers as the headers).
import * as grpc from '@grpc/grpc-js';

/** Sees each call's request metadata before the handler runs and may add response headers. */
export interface CallMiddleware {
  onCall(call: { method: string; metadata: grpc.Metadata }, response: ResponseHeaders): void;
}

interface HeaderSink {
  sendMetadata(metadata: grpc.Metadata): void;
}

export class ResponseHeaders {
  private readonly metadata = new grpc.Metadata();
  private sent = false;

  set(key: string, value: string | Buffer): void {
    if (this.sent) throw new Error(`response header ${key} set after the headers were sent`);
    this.metadata.set(key, value);
  }

  add(key: string, value: string | Buffer): void {
    if (this.sent) throw new Error(`response header ${key} added after the headers were sent`);
    this.metadata.add(key, value);
  }

  /** The first value set for `key`, when it is a string. */
  get(key: string): string | undefined {
    const v = this.metadata.get(key)[0];
    return typeof v === 'string' ? v : undefined;
  }

  get empty(): boolean {
    return Object.keys(this.metadata.getMap()).length === 0;
  }

  get headersSent(): boolean {
    return this.sent;
  }

  /** Sends the headers now (once); later calls do nothing. */
  send(call: HeaderSink): void {
    if (this.sent) return;
    this.sent = true;
    // An empty header block is what grpc-js would send anyway with the first message.
    call.sendMetadata(this.metadata);
  }

  /**
   * The trailers of a failed call: the headers themselves when none were sent, so a
   * trailers-only error response still carries them.
   */
  trailersForError(trailers: grpc.Metadata | undefined): grpc.Metadata {
    const out = trailers?.clone() ?? new grpc.Metadata();
    if (!this.sent) out.merge(this.metadata);
    this.sent = true;
    return out;
  }
}
