// The start-up probe must refuse a store that does not honour If-None-Match: *, the one header
// quiver's commits on a bucket rest on. Real stores that get it wrong exist (s3rver ignores it,
// Swift's s3api answers 501); a few lines of HTTP server that behave like each stand in for them
// here. (That the probe accepts a store that honours it runs in store-contract.test.ts, on Ceph
// RGW and the filesystem.)
import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { after, before, test } from 'node:test';
import { QuiverError } from '../../src/errors.ts';
import { probeConditionalPuts } from '../../src/object-store/conditional-put-probe.ts';
import { S3Store } from '../../src/object-store/s3-store.ts';

/** A bucket in memory that answers PUT, GET and DELETE like S3, except for conditional PUTs. */
async function naiveS3(conditional: 'ignored' | 'not-implemented'): Promise<{ endpoint: string; puts: string[]; objects: Map<string, Buffer>; close(): Promise<void> }> {
  const objects = new Map<string, Buffer>();
  const puts: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
      if (req.method === 'PUT') {
        puts.push(`${key} if-none-match=${req.headers['if-none-match'] ?? ''}`);
        if (conditional === 'not-implemented' && req.headers['if-none-match']) {
          res.writeHead(501, { 'content-type': 'application/xml' });
          res.end('<?xml version="1.0"?><Error><Code>NotImplemented</Code><Message>conditional PUT</Message></Error>');
          return;
        }
        objects.set(key, Buffer.concat(chunks));
        res.writeHead(200, { etag: '"0123456789abcdef0123456789abcdef"' });
        res.end();
      } else if (req.method === 'GET' && objects.has(key)) {
        const body = objects.get(key)!;
        res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
        res.end(body);
      } else if (req.method === 'DELETE') {
        objects.delete(key);
        res.writeHead(204);
        res.end();
      } else {
        res.writeHead(404, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    puts,
    objects,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const stores: S3Store[] = [];
const open = (endpoint: string) => {
  const s = new S3Store({ bucket: 'bucket', prefix: '' }, { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' } }, { retry: { attempts: 2, baseDelayMs: 1 } });
  stores.push(s);
  return s;
};
after(() => stores.forEach((s) => s.close()));

let ignoring: Awaited<ReturnType<typeof naiveS3>>;
let refusing: Awaited<ReturnType<typeof naiveS3>>;
before(async () => {
  ignoring = await naiveS3('ignored');
  refusing = await naiveS3('not-implemented');
});
after(async () => {
  await ignoring.close();
  await refusing.close();
});

test('a store that ignores If-None-Match is refused with a message saying so', async () => {
  await assert.rejects(probeConditionalPuts(open(ignoring.endpoint)), (e: unknown) => {
    assert.ok(e instanceof QuiverError);
    assert.equal(e.code, 'FAILED_PRECONDITION');
    assert.match(e.message, /does not honour conditional puts: a second put of .* succeeded/);
    assert.match(e.message, /If-None-Match: \*/);
    return true;
  });
  assert.equal(ignoring.puts.length, 2);
  assert.ok(ignoring.puts.every((p) => p.endsWith('if-none-match=*')), 'both puts were conditional');
  assert.equal(ignoring.objects.size, 0, 'the probe deleted its key');
});

test('a store that answers 501 to conditional puts is refused, naming the refusal', async () => {
  await assert.rejects(probeConditionalPuts(open(refusing.endpoint)), (e: unknown) => {
    assert.ok(e instanceof QuiverError);
    assert.equal(e.code, 'FAILED_PRECONDITION');
    assert.match(e.message, /does not honour conditional puts/);
    assert.match(e.message, /not implement|refused/);
    return true;
  });
});
