// A Ceph RADOS Gateway for `npm run bench -- --store s3` (bench/run.py starts it): starts one
// through the test harness (test/harness/ceph-rgw.ts), creates a bucket, writes the secret key
// to the file named by the first argument, prints one JSON line (endpoint, bucket, access key
// id), and stops the gateway when its stdin closes or on SIGTERM/SIGINT, so that a benchmark
// that dies leaves no Ceph daemon behind.
//
//   node --import tsx bench/ceph-gateway.ts SECRET_FILE [MEMORY_BYTES]
import fs from 'node:fs';
import { startCephGateway } from '../test/harness/ceph-rgw.ts';

const [secretFile, memory] = process.argv.slice(2);
if (!secretFile) {
  console.error('usage: ceph-gateway.ts SECRET_FILE [MEMORY_BYTES]');
  process.exit(2);
}
const gateway = await startCephGateway({ memoryBytes: Number(memory ?? 2 * 1024 ** 3) });
let stopping: Promise<void> | undefined;
const stop = () => (stopping ??= gateway.stop().then(() => process.exit(0)));
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
const bucket = await gateway.createBucket();
fs.writeFileSync(secretFile, gateway.secretAccessKey, { mode: 0o600 });
console.log(JSON.stringify({ endpoint: gateway.endpoint, bucket, accessKeyId: gateway.accessKeyId }));
