// What a server's --data names, opened: a directory (today's data root), or an S3 location, for
// which this opens the store, checks that it honours conditional puts (refusing to start with
// the probe's message when it does not: two servers could otherwise both commit one version),
// opens the bounded disk cache, and names the local work root where writes are staged before
// they go to the bucket. Both live under one local base directory per location:
//   <base>/work     the local work root (staged writes, manifests, the server's lock)
//   <base>/objects  the disk cache of objects and ranges read from the bucket
// where <base> is --cache-dir, or one under the system temp directory per location.
import path from 'node:path';
import { probeConditionalPuts } from './conditional-put-probe.ts';
import type { DiskCache } from './disk-cache.ts';
import type { ObjectStore } from './object-store.ts';
import { openObjectStore, resolveObjectStoreConfig, type ObjectStoreSettings } from './store-config.ts';
import type { S3StoreOptions } from './s3-store.ts';

export interface DataRoot {
  /** The local directory storage works in: the data root itself, or the work root of a bucket. */
  readonly local: string;
  /** Present when the tables live in an object store. */
  readonly objects?: { readonly store: ObjectStore; readonly cache?: DiskCache };
  /** What --data named, for logs: the directory or s3://bucket/prefix. */
  readonly location: string;
  close(): Promise<void>;
}

export async function openDataRoot(data: string, settings: ObjectStoreSettings, env: NodeJS.ProcessEnv = process.env, options: S3StoreOptions = {}): Promise<DataRoot> {
  const config = resolveObjectStoreConfig(data, settings, env);
  if (config.location.kind === 'filesystem') {
    return { local: path.resolve(config.location.root), location: path.resolve(config.location.root), close: async () => undefined };
  }
  // The configuration's cache directory is the base: the work root sits beside the cache.
  const base = path.resolve(config.cache?.dir ?? settings.cacheDir ?? resolveObjectStoreConfig(data, { ...settings, cacheDiskBytes: 1 }, env).cache!.dir);
  const opened = await openObjectStore({ ...config, ...(config.cache ? { cache: { dir: path.join(base, 'objects'), maxBytes: config.cache.maxBytes } } : {}) }, options);
  try {
    await probeConditionalPuts(opened.store);
  } catch (e) {
    await opened.close();
    throw e;
  }
  return {
    local: path.join(base, 'work'),
    objects: { store: opened.store, ...(opened.cache ? { cache: opened.cache } : {}) },
    location: opened.store.location,
    close: () => opened.close(),
  };
}
