// Writing an object of any size from a stream of chunks, holding at most one part in memory:
// small objects (the whole stream fits in one part) go up as one put-if-absent, larger ones as a
// multipart upload that is aborted when anything fails, so that a failed write leaves at most
// an upload for orphan collection (listUploads) and never a partial object under the key.
import type { ObjectStore, PutOutcome } from './object-store.ts';

/** Parts of 16 MiB: 10,000 parts (S3's limit) make objects up to 156 GiB. */
export const DEFAULT_PART_BYTES = 16 * 1024 * 1024;

export async function writeObject(
  store: ObjectStore,
  key: string,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: { partBytes?: number } = {},
): Promise<PutOutcome> {
  const partBytes = Math.max(store.minPartBytes, options.partBytes ?? DEFAULT_PART_BYTES);
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let upload: { id: string; parts: { partNumber: number; etag: string }[] } | undefined;
  const take = (bytes: number): Uint8Array => {
    const out = new Uint8Array(bytes);
    let at = 0;
    while (at < bytes) {
      const head = pending[0]!;
      const n = Math.min(head.byteLength, bytes - at);
      out.set(head.subarray(0, n), at);
      at += n;
      if (n === head.byteLength) pending.shift();
      else pending[0] = head.subarray(n);
    }
    pendingBytes -= bytes;
    return out;
  };
  try {
    for await (const chunk of source) {
      pending.push(chunk);
      pendingBytes += chunk.byteLength;
      // A part is sent once a byte after it is known to exist: the last part is never empty,
      // and an object of exactly one part goes up as one put.
      while (pendingBytes > partBytes) {
        upload ??= { id: await store.startUpload(key), parts: [] };
        upload.parts.push(await store.uploadPart(key, upload.id, upload.parts.length + 1, take(partBytes)));
      }
    }
    if (!upload) return await store.putIfAbsent(key, take(pendingBytes));
    upload.parts.push(await store.uploadPart(key, upload.id, upload.parts.length + 1, take(pendingBytes)));
    return await store.completeUpload(key, upload.id, upload.parts);
  } catch (e) {
    // Harmless after a completion whose outcome is unknown: a completed upload is gone (404).
    if (upload) await store.abortUpload(key, upload.id).catch(() => undefined);
    throw e;
  } finally {
    pending = [];
  }
}
