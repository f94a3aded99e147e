// A real grpc.health.v1 client for tests: grpc-js with the health.proto the grpc-health-check
// package ships (the same definition any other health client compiles).
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath } from 'grpc-health-check';

const definition = protoLoader.loadSync(protoPath, { keepCase: true, enums: String, defaults: true });
const Health = (grpc.loadPackageDefinition(definition) as unknown as { grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } } }).grpc.health.v1.Health;

export type Status = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

export class HealthClient {
  private readonly client: grpc.Client & Record<string, Function>;

  constructor(address: string) {
    this.client = new Health(address, grpc.credentials.createInsecure()) as grpc.Client & Record<string, Function>;
  }

  check(service: string, deadlineMs = 5000): Promise<Status> {
    return new Promise((resolve, reject) => {
      this.client.check!({ service }, { deadline: Date.now() + deadlineMs }, (err: grpc.ServiceError | null, res: { status: Status }) => (err ? reject(err) : resolve(res.status)));
    });
  }

  /** A Watch stream: every status it delivered so far, and a way to wait for the next ones. */
  watch(service: string): Watch {
    return new Watch(this.client.watch!({ service }) as grpc.ClientReadableStream<{ status: Status }>);
  }

  close(): void {
    this.client.close();
  }
}

export class Watch {
  readonly seen: Status[] = [];
  ended: grpc.StatusObject | null = null;
  private wake: () => void = () => undefined;

  constructor(readonly call: grpc.ClientReadableStream<{ status: Status }>) {
    call.on('data', (m) => {
      this.seen.push(m.status);
      this.wake();
    });
    call.on('status', (s) => {
      this.ended = s;
      this.wake();
    });
    call.on('error', () => undefined);
  }

  /** Resolves once `predicate` holds over what was seen, or rejects after `timeoutMs`. */
  async until(predicate: (w: Watch) => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`watch: ${what} not seen within ${timeoutMs} ms; seen ${JSON.stringify(this.seen)}, ended ${JSON.stringify(this.ended)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  get last(): Status | undefined {
    return this.seen[this.seen.length - 1];
  }

  cancel(): void {
    this.call.cancel();
  }
}

/** Polls Check until it answers `want` (a poll, not a timing assertion). */
export async function waitForCheck(client: HealthClient, service: string, want: Status, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      last = await client.check(service);
      if (last === want) return;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`health of ${JSON.stringify(service)} did not become ${want} within ${timeoutMs} ms (last: ${last})`);
}
