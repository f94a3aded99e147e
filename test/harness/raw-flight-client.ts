// A grpc-js client of the Flight service that sends FlightData exactly as a test builds it,
// malformed frames included.
import * as grpc from '@grpc/grpc-js';
import { flightService } from '../../src/wire/protocol.ts';
import type { FlightDataMessage } from '../../src/wire/flight-data.ts';

const Client = grpc.makeGenericClientConstructor(flightService, 'FlightService');

// Methods are looked up by name, as the tests call them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RawClient = grpc.Client & { [method: string]: any };

export function rawClient(address: string): RawClient {
  return new Client(address, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': -1,
    'grpc.max_send_message_length': -1,
  }) as RawClient;
}

export interface PutOutcome {
  results: Buffer[];
  error: grpc.ServiceError | null;
}

/** Sends `messages` on one DoPut and collects the PutResults and the final status. */
export function rawPut(client: RawClient, messages: FlightDataMessage[]): Promise<PutOutcome> {
  return new Promise((resolve) => {
    const call = client.DoPut() as grpc.ClientDuplexStream<FlightDataMessage, { app_metadata: Buffer }>;
    const results: Buffer[] = [];
    call.on('data', (r) => results.push(r.app_metadata));
    call.on('error', (error: grpc.ServiceError) => resolve({ results, error }));
    call.on('end', () => resolve({ results, error: null }));
    for (const m of messages) call.write(m);
    call.end();
  });
}

export function unaryCall<Res>(client: RawClient, method: string, request: object): Promise<Res> {
  return new Promise((resolve, reject) => {
    client[method]!(request, (err: grpc.ServiceError | null, res: Res) => (err ? reject(err) : resolve(res)));
  });
}

export function streamCall<Res>(client: RawClient, method: string, request: object): Promise<Res[]> {
  return new Promise((resolve, reject) => {
    const out: Res[] = [];
    const call = client[method]!(request) as grpc.ClientReadableStream<Res>;
    call.on('data', (d: Res) => out.push(d));
    call.on('error', reject);
    call.on('end', () => resolve(out));
  });
}
