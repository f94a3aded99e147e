// Where the tables are and how to reach them: `--data` names a directory or an S3 location
// (s3://bucket/prefix), and an S3 location is reached with the configuration every AWS tool
// reads (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_PROFILE
// and the shared ~/.aws files), each of which a flag of quiver's can override. The precedence is
// the server's (defaults < file < QUIVER_* environment < flags) with the standard AWS variables
// below all of them, so a quiver setting always wins over an ambient AWS one.
//
// src/server/config.ts is meant to append OBJECT_STORE_OPTIONS to its OPTIONS and call
// resolveObjectStoreConfig() with what they parsed; until then parseObjectStoreArgs() reads the
// same flags on its own (tests, tools).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QuiverError } from '../errors.ts';
import { DiskCache } from './disk-cache.ts';
import { FilesystemStore } from './filesystem-store.ts';
import { checkKey, type ObjectStore } from './object-store.ts';
// Types only: the AWS SDK is loaded when an S3 store is opened, not by every server that parses
// its configuration (a directory --data never loads it).
import type { S3Connection, S3StoreOptions } from './s3-store.ts';

export type DataLocation = { kind: 'filesystem'; root: string } | { kind: 's3'; bucket: string; prefix: string };

/** The object store settings beside --data, as config.ts's option table would hold them. */
export interface ObjectStoreSettings {
  s3Endpoint?: string;
  s3Region?: string;
  s3AccessKeyId?: string;
  /** A file holding the secret access key (a flag would show the secret in the process list). */
  s3SecretAccessKeyFile?: string;
  s3Profile?: string;
  s3PathStyle?: boolean;
  cacheDir?: string;
  cacheDiskBytes?: number;
}

export interface ObjectStoreConfig {
  readonly location: DataLocation;
  /** For an S3 location. */
  readonly s3?: S3Connection;
  /** The local disk cache of fetched objects and ranges (S3 only; absent: off). */
  readonly cache?: { readonly dir: string; readonly maxBytes: number };
}

export interface ObjectStoreOption {
  readonly key: keyof ObjectStoreSettings;
  readonly flag: string;
  readonly env: string;
  /** The standard AWS variables read when neither the flag nor the QUIVER_ variable is set. */
  readonly awsEnv?: readonly string[];
  readonly help: string;
  readonly parse: (raw: string) => unknown;
}

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_CACHE_DISK_BYTES = 4 * 1024 ** 3;

export const OBJECT_STORE_OPTIONS: readonly ObjectStoreOption[] = [
  { key: 's3Endpoint', flag: '--s3-endpoint', env: 'QUIVER_S3_ENDPOINT', awsEnv: ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'], help: 'URL of an S3-compatible service for --data s3://... (default: AWS S3 of the region)', parse: parseEndpoint },
  { key: 's3Region', flag: '--s3-region', env: 'QUIVER_S3_REGION', awsEnv: ['AWS_REGION', 'AWS_DEFAULT_REGION'], help: `region of the bucket (default ${DEFAULT_REGION})`, parse: nonEmpty('--s3-region') },
  { key: 's3AccessKeyId', flag: '--s3-access-key-id', env: 'QUIVER_S3_ACCESS_KEY_ID', awsEnv: ['AWS_ACCESS_KEY_ID'], help: 'access key id (with --s3-secret-access-key-file or AWS_SECRET_ACCESS_KEY; default: the AWS credential chain)', parse: nonEmpty('--s3-access-key-id') },
  { key: 's3SecretAccessKeyFile', flag: '--s3-secret-access-key-file', env: 'QUIVER_S3_SECRET_ACCESS_KEY_FILE', help: 'file holding the secret access key (keeps it out of the process list)', parse: nonEmpty('--s3-secret-access-key-file') },
  { key: 's3Profile', flag: '--s3-profile', env: 'QUIVER_S3_PROFILE', awsEnv: ['AWS_PROFILE'], help: 'profile of ~/.aws/config and ~/.aws/credentials to take credentials and region from', parse: nonEmpty('--s3-profile') },
  { key: 's3PathStyle', flag: '--s3-path-style', env: 'QUIVER_S3_PATH_STYLE', help: 'true: http://host/bucket/key addressing (what S3-compatible stores need); false: virtual-hosted (bucket.host)', parse: bool('--s3-path-style') },
  { key: 'cacheDir', flag: '--cache-dir', env: 'QUIVER_CACHE_DIR', help: 'directory of the local disk cache of objects and ranges read from S3 (default: one under the system temp directory per location)', parse: nonEmpty('--cache-dir') },
  { key: 'cacheDiskBytes', flag: '--cache-disk-bytes', env: 'QUIVER_CACHE_DISK_BYTES', help: 'most bytes the disk cache holds, least recently used evicted (e.g. 4GiB; 0 turns it off)', parse: parseSize },
];

/** `--data`: s3://bucket[/prefix], file:///dir, or a directory. */
export function parseDataLocation(raw: string): DataLocation {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (raw.trim() === '') throw invalid('--data is empty: give a directory or s3://bucket/prefix');
    return { kind: 'filesystem', root: raw };
  }
  if (scheme === 'file') return { kind: 'filesystem', root: decodeURIComponent(new URL(raw).pathname) };
  if (scheme !== 's3') throw invalid(`--data ${JSON.stringify(raw)}: unsupported scheme ${scheme}:// (use a directory or s3://bucket/prefix)`);
  const rest = raw.slice('s3://'.length);
  const cut = rest.indexOf('/');
  const bucket = cut < 0 ? rest : rest.slice(0, cut);
  const prefix = (cut < 0 ? '' : rest.slice(cut + 1)).replace(/\/+$/, '');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes('..')) {
    throw invalid(`--data ${JSON.stringify(raw)}: ${JSON.stringify(bucket)} is not a bucket name (3 to 63 lower-case letters, digits, '.' and '-')`);
  }
  if (prefix !== '') {
    try {
      checkKey(prefix);
    } catch (e) {
      throw invalid(`--data ${JSON.stringify(raw)}: the prefix ${(e as Error).message.replace(/^object key /, '')}`);
    }
  }
  return { kind: 's3', bucket, prefix };
}

/**
 * The object store configuration from --data and the settings beside it (flags, config file and
 * QUIVER_* variables already applied by the caller), with the standard AWS variables of `env`
 * filling what they left unset.
 */
export function resolveObjectStoreConfig(data: string, settings: ObjectStoreSettings, env: NodeJS.ProcessEnv = process.env): ObjectStoreConfig {
  const location = parseDataLocation(data);
  if (location.kind === 'filesystem') {
    const stray = OBJECT_STORE_OPTIONS.filter((o) => settings[o.key] !== undefined).map((o) => o.flag);
    if (stray.length > 0) throw invalid(`${stray.join(', ')} apply to --data s3://... only; --data ${JSON.stringify(data)} is a directory`);
    return { location };
  }
  const fromAws = (key: keyof ObjectStoreSettings): string | undefined => {
    const option = OBJECT_STORE_OPTIONS.find((o) => o.key === key)!;
    for (const name of option.awsEnv ?? []) if (env[name]) return env[name];
    return undefined;
  };
  const endpoint = settings.s3Endpoint ?? (fromAws('s3Endpoint') !== undefined ? parseEndpoint(fromAws('s3Endpoint')!) : undefined);
  const accessKeyId = settings.s3AccessKeyId ?? fromAws('s3AccessKeyId');
  const secretAccessKey = settings.s3SecretAccessKeyFile !== undefined ? readSecret(settings.s3SecretAccessKeyFile) : env.AWS_SECRET_ACCESS_KEY || undefined;
  if (accessKeyId !== undefined && secretAccessKey === undefined) throw invalid('an S3 access key id is set but no secret: give --s3-secret-access-key-file or AWS_SECRET_ACCESS_KEY');
  if (accessKeyId === undefined && secretAccessKey !== undefined) throw invalid('an S3 secret access key is set but no access key id: give --s3-access-key-id or AWS_ACCESS_KEY_ID');
  if (settings.s3Profile !== undefined && settings.s3AccessKeyId !== undefined) throw invalid('--s3-profile and --s3-access-key-id both name credentials: give one');
  const sessionToken = accessKeyId !== undefined && settings.s3AccessKeyId === undefined ? env.AWS_SESSION_TOKEN || undefined : undefined;
  // Static keys from a flag win over a profile from the environment, as the SDK's chain has them.
  const profile = accessKeyId === undefined ? settings.s3Profile ?? fromAws('s3Profile') : undefined;
  const s3: S3Connection = {
    region: settings.s3Region ?? fromAws('s3Region') ?? DEFAULT_REGION,
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(accessKeyId !== undefined ? { credentials: { accessKeyId, secretAccessKey: secretAccessKey!, ...(sessionToken ? { sessionToken } : {}) } } : {}),
    ...(profile !== undefined ? { profile } : {}),
    pathStyle: settings.s3PathStyle ?? true,
  };
  const maxBytes = settings.cacheDiskBytes ?? DEFAULT_CACHE_DISK_BYTES;
  const id = createHash('sha256').update(`${endpoint ?? 'aws'}\0${location.bucket}\0${location.prefix}`).digest('hex').slice(0, 16);
  const dir = settings.cacheDir ?? path.join(os.tmpdir(), 'quiver-cache', id);
  return { location, s3, ...(maxBytes > 0 ? { cache: { dir, maxBytes } } : {}) };
}

/** --data and the object store flags (and their QUIVER_ variables) on their own, for tools and tests. */
export function parseObjectStoreArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ObjectStoreConfig {
  let data: string | undefined = env.QUIVER_DATA || undefined;
  const settings: Record<string, unknown> = {};
  for (const o of OBJECT_STORE_OPTIONS) if (env[o.env]) settings[o.key] = o.parse(env[o.env]!);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw invalid(`${flag} needs a value`);
    if (flag === '--data') data = value;
    else {
      const o = OBJECT_STORE_OPTIONS.find((x) => x.flag === flag);
      if (!o) throw invalid(`unknown option ${flag}`);
      settings[o.key] = o.parse(value);
    }
  }
  if (data === undefined) throw invalid('--data is required');
  return resolveObjectStoreConfig(data, settings as ObjectStoreSettings, env);
}

export interface OpenedStore {
  readonly store: ObjectStore;
  /** The disk cache in front of it (S3 with a cache configured). */
  readonly cache?: DiskCache;
  close(): Promise<void>;
}

/** The store the configuration names, and its disk cache. */
export async function openObjectStore(config: ObjectStoreConfig, options: S3StoreOptions = {}): Promise<OpenedStore> {
  if (config.location.kind === 'filesystem') {
    return { store: new FilesystemStore(config.location.root), close: async () => undefined };
  }
  const { S3Store } = await import('./s3-store.ts');
  const store = new S3Store({ bucket: config.location.bucket, prefix: config.location.prefix }, config.s3 ?? { region: DEFAULT_REGION }, options);
  const cache = config.cache ? await DiskCache.open(store, config.cache.dir, config.cache.maxBytes) : undefined;
  return {
    store,
    ...(cache ? { cache } : {}),
    close: async () => {
      await cache?.close();
      store.close();
    },
  };
}

function readSecret(file: string): string {
  let secret: string;
  try {
    secret = fs.readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw invalid(`--s3-secret-access-key-file ${file}: ${(e as Error).message}`);
  }
  if (secret === '') throw invalid(`--s3-secret-access-key-file ${file} is empty`);
  return secret;
}

function parseEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`S3 endpoint ${JSON.stringify(raw)} is not a URL (e.g. http://127.0.0.1:7480)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`S3 endpoint ${JSON.stringify(raw)} must be http:// or https://`);
  return raw.replace(/\/+$/, '');
}

function nonEmpty(name: string) {
  return (raw: string) => {
    if (raw.trim() === '') throw invalid(`${name} is empty`);
    return raw;
  };
}

function bool(name: string) {
  return (raw: string) => {
    if (raw === 'true' || raw === 'false') return raw === 'true';
    throw invalid(`${name} must be true or false, got ${JSON.stringify(raw)}`);
  };
}

/** Sizes as config.ts's parseBytes reads them (0, 512MiB, 4GiB, 1e9 bytes as 1GB). */
function parseSize(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$/i.exec(raw.trim());
  if (!m) throw invalid(`not a size: ${JSON.stringify(raw)} (use e.g. 0, 512MiB, 4GiB)`);
  const units: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };
  return Math.round(Number(m[1]) * units[(m[2] ?? 'b').toLowerCase()]!);
}

const invalid = (message: string) => new QuiverError('INVALID_ARGUMENT', message);
