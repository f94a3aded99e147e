// Child process for the "DoPut killed half way" tests: starts a DoPut to the table named in
// argv, sends the schema and some batches of abandonedBatch(), says "sent" and waits to be killed.
import * as grpc from '@grpc/grpc-js';
import { abandonedBatch, framesOf, pathDescriptor } from './arrow-frames.ts';
import { rawClient } from './raw-flight-client.ts';

const [address, table] = process.argv.slice(2);
const client = rawClient(address!);
const call = client.DoPut() as grpc.ClientDuplexStream<unknown, unknown>;
call.on('data', () => undefined);
call.on('error', () => undefined);
const frames = framesOf(abandonedBatch());
call.write({ descriptor: pathDescriptor(table!), header: frames[0]!.header, body: frames[0]!.body });
for (let i = 0; i < 20; i++) call.write({ header: frames[1]!.header, body: frames[1]!.body });
setTimeout(() => process.stdout.write('sent\n'), 300);
setInterval(() => undefined, 1000);
