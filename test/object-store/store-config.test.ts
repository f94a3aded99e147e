// --data s3://bucket/prefix and the AWS configuration around it: which source wins, what is
// refused before a server starts (with a message a person can act on), and that the standard
// AWS variables are read but never beat a quiver setting.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { QuiverError } from '../../src/errors.ts';
import { FilesystemStore } from '../../src/object-store/filesystem-store.ts';
import { S3Store } from '../../src/object-store/s3-store.ts';
import { DEFAULT_CACHE_DISK_BYTES, openObjectStore, parseDataLocation, parseObjectStoreArgs } from '../../src/object-store/store-config.ts';

const invalid = (pattern: RegExp) => (e: unknown) => e instanceof QuiverError && e.code === 'INVALID_ARGUMENT' && pattern.test(e.message);

test('--data names a directory, a file: URL or an S3 bucket with an optional prefix', () => {
  assert.deepEqual(parseDataLocation('./data'), { kind: 'filesystem', root: './data' });
  assert.deepEqual(parseDataLocation('file:///var/lib/quiver%20x'), { kind: 'filesystem', root: '/var/lib/quiver x' });
  assert.deepEqual(parseDataLocation('s3://tables'), { kind: 's3', bucket: 'tables', prefix: '' });
  assert.deepEqual(parseDataLocation('s3://tables/'), { kind: 's3', bucket: 'tables', prefix: '' });
  assert.deepEqual(parseDataLocation('s3://my.tables-1/prod/quiver/'), { kind: 's3', bucket: 'my.tables-1', prefix: 'prod/quiver' });
  assert.throws(() => parseDataLocation('gs://b/p'), invalid(/unsupported scheme gs/));
  assert.throws(() => parseDataLocation('s3://Upper/p'), invalid(/not a bucket name/));
  assert.throws(() => parseDataLocation('s3://ab'), invalid(/not a bucket name/));
  assert.throws(() => parseDataLocation('s3://bucket/a/../b'), invalid(/the prefix/));
  assert.throws(() => parseDataLocation('s3://bucket/a//b'), invalid(/the prefix/));
  assert.throws(() => parseDataLocation(''), invalid(/empty/));
});

test('the standard AWS variables configure an S3 location', () => {
  const c = parseObjectStoreArgs(['--data', 's3://bucket/p'], {
    AWS_ENDPOINT_URL: 'http://127.0.0.1:7480/',
    AWS_ACCESS_KEY_ID: 'AKID',
    AWS_SECRET_ACCESS_KEY: 'SECRET',
    AWS_SESSION_TOKEN: 'TOKEN',
    AWS_REGION: 'eu-west-3',
  });
  assert.deepEqual(c.location, { kind: 's3', bucket: 'bucket', prefix: 'p' });
  assert.deepEqual(c.s3, { endpoint: 'http://127.0.0.1:7480', region: 'eu-west-3', credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET', sessionToken: 'TOKEN' }, pathStyle: true });
  assert.equal(c.cache?.maxBytes, DEFAULT_CACHE_DISK_BYTES);
  assert.ok(c.cache!.dir.startsWith(path.join(os.tmpdir(), 'quiver-cache')));
});

test('AWS_ENDPOINT_URL_S3 beats AWS_ENDPOINT_URL, AWS_REGION beats AWS_DEFAULT_REGION, and the region defaults to us-east-1', () => {
  const c = parseObjectStoreArgs(['--data', 's3://bucket'], { AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_S3: 'http://s3:2', AWS_DEFAULT_REGION: 'ap-south-1' });
  assert.equal(c.s3?.endpoint, 'http://s3:2');
  assert.equal(c.s3?.region, 'ap-south-1');
  assert.equal(parseObjectStoreArgs(['--data', 's3://bucket'], { AWS_REGION: 'eu-north-1', AWS_DEFAULT_REGION: 'ap-south-1' }).s3?.region, 'eu-north-1');
  const bare = parseObjectStoreArgs(['--data', 's3://bucket'], {});
  assert.deepEqual(bare.s3, { region: 'us-east-1', pathStyle: true }, 'no endpoint (AWS), no credentials (the SDK chain)');
});

test('flags beat QUIVER_ variables, which beat the AWS ones', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-s3cfg-'));
  try {
    const secret = path.join(dir, 'secret');
    fs.writeFileSync(secret, 'FILESECRET\n');
    const env = { AWS_ENDPOINT_URL: 'http://aws:1', QUIVER_S3_ENDPOINT: 'http://quiver:2', AWS_ACCESS_KEY_ID: 'ENVID', AWS_SECRET_ACCESS_KEY: 'ENVSECRET', AWS_SESSION_TOKEN: 'T', AWS_REGION: 'r1' };
    assert.equal(parseObjectStoreArgs(['--data', 's3://bucket'], env).s3?.endpoint, 'http://quiver:2');
    const c = parseObjectStoreArgs(['--data=s3://bucket', '--s3-endpoint', 'https://flag:3', '--s3-access-key-id', 'FLAGID', '--s3-secret-access-key-file', secret, '--s3-region=r2', '--s3-path-style', 'false', '--cache-dir', dir, '--cache-disk-bytes', '1GiB'], env);
    assert.deepEqual(c.s3, { endpoint: 'https://flag:3', region: 'r2', credentials: { accessKeyId: 'FLAGID', secretAccessKey: 'FILESECRET' }, pathStyle: false }, "a session token belongs to the environment's keys, not the flag's");
    assert.deepEqual(c.cache, { dir, maxBytes: 1024 ** 3 });
    assert.equal(parseObjectStoreArgs(['--data', 's3://bucket', '--cache-disk-bytes', '0'], {}).cache, undefined, '0 turns the disk cache off');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a profile is passed to the SDK; static keys win over a profile from the environment', () => {
  assert.deepEqual(parseObjectStoreArgs(['--data', 's3://bucket', '--s3-profile', 'prod'], {}).s3, { region: 'us-east-1', profile: 'prod', pathStyle: true });
  assert.equal(parseObjectStoreArgs(['--data', 's3://bucket'], { AWS_PROFILE: 'dev' }).s3?.profile, 'dev');
  const both = parseObjectStoreArgs(['--data', 's3://bucket'], { AWS_PROFILE: 'dev', AWS_ACCESS_KEY_ID: 'ID', AWS_SECRET_ACCESS_KEY: 'S' });
  assert.equal(both.s3?.profile, undefined);
  assert.equal(both.s3?.credentials?.accessKeyId, 'ID');
});

test('half a key pair, conflicting credentials, bad endpoints and unknown flags are refused', () => {
  assert.throws(() => parseObjectStoreArgs(['--data', 's3://bucket'], { AWS_ACCESS_KEY_ID: 'ID' }), invalid(/no secret/));
  assert.throws(() => parseObjectStoreArgs(['--data', 's3://bucket'], { AWS_SECRET_ACCESS_KEY: 'S' }), invalid(/no access key id/));
  assert.throws(() => parseObjectStoreArgs(['--data', 's3://bucket', '--s3-profile', 'p', '--s3-access-key-id', 'ID'], { AWS_SECRET_ACCESS_KEY: 'S' }), invalid(/give one/));
  assert.throws(() => parseObjectStoreArgs(['--data', 's3://bucket', '--s3-endpoint', 'ftp://x'], {}), invalid(/http/));
  assert.throws(() => parseObjectStoreArgs(['--data', 's3://bucket', '--s3-endpoint', 'not a url'], {}), invalid(/not a URL/));
  assert.throws(() => parseObjectStoreArgs(['--data', 's3://bucket', '--s3-access-key-id', 'ID', '--s3-secret-access-key-file', '/nonexistent/secret'], {}), invalid(/nonexistent/));
  assert.throws(() => parseObjectStoreArgs(['--data', 's3://bucket', '--s3-path-style', 'yes'], {}), invalid(/true or false/));
  assert.throws(() => parseObjectStoreArgs(['--data', 's3://bucket', '--cache-disk-bytes', 'lots'], {}), invalid(/not a size/));
  assert.throws(() => parseObjectStoreArgs(['--data', 's3://bucket', '--s3-bucket', 'x'], {}), invalid(/unknown option --s3-bucket/));
  assert.throws(() => parseObjectStoreArgs(['--data'], {}), invalid(/needs a value/));
});

test('S3 settings with a directory are refused; the AWS environment alone is not an error there', () => {
  assert.throws(() => parseObjectStoreArgs(['--data', './data', '--s3-endpoint', 'http://x:1'], {}), invalid(/--s3-endpoint apply to --data s3:\/\/\.\.\. only/));
  assert.deepEqual(parseObjectStoreArgs(['--data', './data'], { AWS_ENDPOINT_URL: 'http://x:1', AWS_ACCESS_KEY_ID: 'ID' }), { location: { kind: 'filesystem', root: './data' } });
});

test('openObjectStore opens the store the configuration names', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-s3cfg-'));
  try {
    const local = await openObjectStore(parseObjectStoreArgs(['--data', dir], {}));
    assert.ok(local.store instanceof FilesystemStore);
    assert.equal(local.cache, undefined);
    await local.close();
    const s3 = await openObjectStore(parseObjectStoreArgs(['--data', 's3://bucket/p', '--cache-dir', path.join(dir, 'cache')], { AWS_ENDPOINT_URL: 'http://127.0.0.1:1' }));
    assert.ok(s3.store instanceof S3Store);
    assert.equal(s3.store.location, 's3://bucket/p');
    assert.equal(s3.cache?.dir, path.join(dir, 'cache'));
    await s3.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
