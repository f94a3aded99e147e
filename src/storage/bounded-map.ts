// Many small reads at once (a table's manifests for expiry, orphan collection and history),
// but never so many that the process runs out of file descriptors (EMFILE): each of those
// reads holds one open file, and a table may have thousands of retained versions.
/** Manifest reads one maintenance task has open at once. */
export const MANIFEST_READ_CONCURRENCY = 16;

/** `fn` over `items`, at most `limit` running at once; results in input order; the first failure rejects. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
