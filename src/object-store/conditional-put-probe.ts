// quiver's commits on an object store rest on put-if-absent: in embedded mode the log entry of
// version N+1 is created with If-None-Match: *, so that of two servers pointed at one bucket only
// one can commit it. A store that ignores the header (older S3-compatible servers, mocks such as
// s3rver) would let both "win" and silently lose one commit; a store that refuses it (Swift's
// s3api answers 501) would fail every commit. So a server checks at start, with a throwaway key,
// that a second conditional put of one key is refused and leaves the first object in place, and
// refuses to start with a message that says what is wrong when it is not.
import { randomUUID } from 'node:crypto';
import { QuiverError } from '../errors.ts';
import type { ObjectStore } from './object-store.ts';

/** Where probes write; collected (deleted) by the probe itself, and safe to delete at any time. */
export const PROBE_PREFIX = '.quiver-probe/';

export async function probeConditionalPuts(store: ObjectStore): Promise<void> {
  const key = `${PROBE_PREFIX}${randomUUID()}`;
  const first = new TextEncoder().encode(`first ${key}`);
  const second = new TextEncoder().encode(`second ${key}`);
  const refuse = (why: string, cause?: unknown) =>
    new QuiverError(
      'FAILED_PRECONDITION',
      `the object store ${store.location} does not honour conditional puts: ${why}. quiver needs PUT with If-None-Match: * to fail with 412 when the key exists ` +
        '(AWS S3 since August 2024, Ceph RGW 16.2 and later do), or two servers could both commit one version; use a store that supports it',
      { cause },
    );
  const put = async (body: Uint8Array) => {
    try {
      return await store.putIfAbsent(key, body);
    } catch (e) {
      if (e instanceof QuiverError && (e.code === 'UNIMPLEMENTED' || e.code === 'INTERNAL')) throw refuse(`a put with If-None-Match: * was refused (${e.message})`, e);
      throw e;
    }
  };
  try {
    if ((await put(first)) !== 'created') throw refuse(`a put of the new key ${key} was reported as taken`);
    const outcome = await put(second);
    const stored = new TextDecoder().decode((await store.get(key)).bytes);
    if (outcome === 'created' || stored !== new TextDecoder().decode(first)) {
      throw refuse(`a second put of ${key} with If-None-Match: * ${outcome === 'created' ? 'succeeded' : 'was refused'} and the key now holds ${JSON.stringify(stored)}`);
    }
  } finally {
    await store.delete(key).catch(() => undefined);
  }
}
