// The one interface every kind of table storage offers: a flat namespace of immutable objects
// under '/'-separated keys. It is the least that an S3-compatible bucket and a local (or NFS)
// filesystem can both promise, and all that quiver's storage needs: objects are created whole or
// not at all and never overwritten (put-if-absent), read whole or by byte range, listed by
// prefix for maintenance, and deleted by garbage collection. Large objects go up in parts
// (multipart upload) so that no writer holds a whole data file in memory; an upload that is
// never completed is listed so that orphan collection can abort it.
//
// Every error an implementation throws is a QuiverError: NOT_FOUND for a missing object,
// UNAVAILABLE (retriable) when the store could not be reached or kept failing, and, for a
// put whose reply was lost and that could not be resolved afterwards, an UNAVAILABLE error
// that isOutcomeUnknown() recognises: the object may or may not exist.
import { QuiverError } from '../errors.ts';

/** A byte range of an object: `length` bytes from `offset`, or the last `suffix` bytes. */
export type ByteRange = { offset: number; length: number } | { suffix: number };

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  /** When the object was created (orphan collection's grace period is measured from it). */
  readonly lastModified: Date;
  /** The store's entity tag, unquoted; absent where the store has none (the filesystem). */
  readonly etag?: string;
}

export interface ObjectBytes {
  /** The bytes of the range asked for, cut at the end of the object (empty past its end). */
  readonly bytes: Uint8Array;
  /** The size of the whole object (a suffix read learns it this way). */
  readonly size: number;
  readonly etag?: string;
}

/** 'created': this call created the object; 'exists': the key was taken (nothing was written). */
export type PutOutcome = 'created' | 'exists';

export interface ListOptions {
  /** Most entries (objects and prefixes together) a page holds; the store may give fewer. */
  readonly limit?: number;
  /** The `next` of the previous page. */
  readonly token?: string;
  /** Group keys that have this after the prefix into `prefixes` (one level of a tree). */
  readonly delimiter?: string;
}

export interface ListPage {
  /** In ascending order of key (UTF-8 byte order, as S3 lists). */
  readonly objects: ObjectInfo[];
  /** With a delimiter: the distinct key prefixes up to and including it, ascending. */
  readonly prefixes: string[];
  /** Present when more entries follow: pass it as `token` for the next page. */
  readonly next?: string;
}

/** A multipart upload begun and neither completed nor aborted. */
export interface PendingUpload {
  readonly key: string;
  readonly uploadId: string;
  readonly initiated: Date;
}

export interface UploadedPart {
  /** 1-based, ascending, as S3 numbers parts. */
  readonly partNumber: number;
  readonly etag: string;
}

export interface GetOptions {
  readonly range?: ByteRange;
  /** Read only if the object still has this entity tag (FAILED_PRECONDITION otherwise). */
  readonly ifMatch?: string;
}

export interface ObjectStore {
  /** Where the objects are, for messages and logs: s3://bucket/prefix or a directory. */
  readonly location: string;
  /** Smallest part S3 accepts for every part but the last (5 MiB); the filesystem accepts any. */
  readonly minPartBytes: number;

  /** Creates `key` holding `body` unless the key exists; never replaces an object. */
  putIfAbsent(key: string, body: Uint8Array): Promise<PutOutcome>;
  /** The object's bytes, or a range of them; NOT_FOUND when it does not exist. */
  get(key: string, options?: GetOptions): Promise<ObjectBytes>;
  /** The object's size and time, or undefined when it does not exist. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** One page of the objects whose keys start with `prefix`. */
  list(prefix: string, options?: ListOptions): Promise<ListPage>;
  /** Removes the object; removing one that does not exist succeeds. */
  delete(key: string): Promise<void>;

  /** Begins a multipart upload of `key`; nothing is visible under the key until completeUpload. */
  startUpload(key: string): Promise<string>;
  uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<UploadedPart>;
  /** Publishes the parts, in order, as one object, unless the key exists ('exists': the upload is aborted). */
  completeUpload(key: string, uploadId: string, parts: UploadedPart[]): Promise<PutOutcome>;
  /** Discards an upload and its parts; aborting one that is gone succeeds. */
  abortUpload(key: string, uploadId: string): Promise<void>;
  /** Uploads begun under `prefix` and not finished, oldest first as the store lists them. */
  listUploads(prefix: string): Promise<PendingUpload[]>;
}

/** Every object under `prefix`, page by page. */
export async function* listAll(store: ObjectStore, prefix: string, pageSize?: number): AsyncGenerator<ObjectInfo> {
  let token: string | undefined;
  do {
    const page = await store.list(prefix, { token, limit: pageSize });
    yield* page.objects;
    token = page.next;
  } while (token !== undefined);
}

const KEY_SEGMENT_LIMIT = 255;
/** Under the filesystem store's root, multipart uploads live here; no key may start with it. */
export const UPLOADS_DIR = '.quiver-uploads';

/**
 * Checks a key before any store uses it: non-empty '/'-separated segments, none '.' or '..'
 * and none a temporary name of the filesystem store, so that a key read back from a manifest or
 * a log (which may be damaged or planted) can never name anything outside the store's root.
 */
export function checkKey(key: string): string {
  const bad = (why: string) => new QuiverError('INVALID_ARGUMENT', `object key ${JSON.stringify(key)} ${why}`);
  if (typeof key !== 'string' || key.length === 0) throw bad('is empty');
  if (!key.isWellFormed()) throw bad('is not well-formed UTF-8');
  if (key.includes('\\') || key.includes('\0')) throw bad('contains a backslash or NUL');
  const segments = key.split('/');
  if (segments[0] === UPLOADS_DIR) throw bad(`starts with the reserved ${UPLOADS_DIR}/`);
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..') throw bad('has an empty, "." or ".." segment');
    if (s.startsWith('.tmp-')) throw bad('has a segment starting with .tmp- (temporary files)');
    if (Buffer.byteLength(s) > KEY_SEGMENT_LIMIT) throw bad(`has a segment longer than ${KEY_SEGMENT_LIMIT} bytes`);
  }
  return key;
}

/**
 * Checks a list prefix: empty (everything), or whole key segments followed by the beginning of
 * one (possibly empty, when the prefix ends in '/'). Only the whole segments name directories.
 */
export function checkPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  const cut = prefix.lastIndexOf('/');
  if (cut >= 0) checkKey(prefix.slice(0, cut));
  const partial = prefix.slice(cut + 1);
  if (partial.includes('\\') || partial.includes('\0') || !partial.isWellFormed()) throw new QuiverError('INVALID_ARGUMENT', `list prefix ${JSON.stringify(prefix)} is malformed`);
  return prefix;
}

const unknownOutcomes = new WeakSet<QuiverError>();

/** The error of a put whose reply was lost and whose result could not be read back. */
export function outcomeUnknown(location: string, key: string, cause: unknown): QuiverError {
  const e = new QuiverError('UNAVAILABLE', `creating ${key} in ${location}: the store's reply was lost and whether the object was created is unknown (${(cause as Error)?.message ?? String(cause)})`, { retriable: false, cause });
  unknownOutcomes.add(e);
  return e;
}

/** True for the error of a put that may or may not have created its object. */
export const isOutcomeUnknown = (e: unknown): boolean => e instanceof QuiverError && unknownOutcomes.has(e);

export const objectMissing = (location: string, key: string) => new QuiverError('NOT_FOUND', `no object ${key} in ${location}`);

/** True for the NOT_FOUND error of get(). */
export const isObjectMissing = (e: unknown): boolean => e instanceof QuiverError && e.code === 'NOT_FOUND';

/** Compares keys as S3 orders them: by their UTF-8 bytes. */
export const compareKeys = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** A range as absolute [start, end) within an object of `size` bytes. */
export function resolveRange(range: ByteRange | undefined, size: number): { start: number; end: number } {
  if (range === undefined) return { start: 0, end: size };
  if ('suffix' in range) return { start: Math.max(0, size - range.suffix), end: size };
  const start = Math.min(range.offset, size);
  return { start, end: Math.min(size, range.offset + range.length) };
}

/** Rejects a malformed range before a request is made. */
export function checkRange(range: ByteRange | undefined): void {
  if (range === undefined) return;
  const ok = 'suffix' in range ? Number.isSafeInteger(range.suffix) && range.suffix >= 0 : Number.isSafeInteger(range.offset) && range.offset >= 0 && Number.isSafeInteger(range.length) && range.length >= 0;
  if (!ok) throw new QuiverError('INVALID_ARGUMENT', `invalid byte range ${JSON.stringify(range)}`);
}
