// The object store in an S3-compatible bucket (AWS S3, Ceph RGW, ...) through @aws-sdk/client-s3.
// Settings S3-compatible stores need (measured on Ceph RGW 16.2, ../shared/notes/ceph-rgw.md):
// - path-style addressing (http://host/bucket/key): a gateway on 127.0.0.1 has no per-bucket
//   host names;
// - checksums only when an operation requires them: the SDK's default (a streamed PUT with a
//   trailing CRC32) is refused by RGW with 411 MissingContentLength;
// - If-Match with the entity tag unquoted: RGW compares the header with the bare tag, so the
//   quoted form it returns itself gives 412; AWS accepts both. RGW also answers 412 for a missing
//   key under If-Match (AWS: 404), so a 412 there is told apart with a HEAD.
//
// Put-if-absent is PUT with If-None-Match: * (S3 since August 2024; RGW answers 412 when the key
// exists). A PUT whose attempt timed out or got a 5xx may still have been applied; when a later
// attempt then finds the key taken, the object is read back and compared with what this call
// wrote, so that a lost reply is not mistaken for losing the race (equal bytes: 'created').
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
  UploadPartCommand, type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { QuiverError } from '../errors.ts';
import {
  checkKey, checkPrefix, checkRange, objectMissing, outcomeUnknown,
  type GetOptions, type ListOptions, type ListPage, type ObjectBytes, type ObjectInfo, type ObjectStore,
  type PendingUpload, type PutOutcome, type UploadedPart,
} from './object-store.ts';
import { DEFAULT_RETRY_POLICY, RetriesExhausted, withRetries, type AttemptContext, type FailureKind, type RetryPolicy } from './retry.ts';

export interface S3Location {
  readonly bucket: string;
  /** Key prefix inside the bucket, without leading or trailing '/'; '' for the whole bucket. */
  readonly prefix: string;
}

export interface S3Connection {
  /** http(s)://host:port of an S3-compatible service; unset: AWS's endpoint for the region. */
  readonly endpoint?: string;
  readonly region: string;
  /** Static credentials; unset: the SDK's chain (environment, shared files and profile, instance roles). */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** A profile of ~/.aws/config and ~/.aws/credentials. */
  readonly profile?: string;
  /** Path-style addressing (the default): what S3-compatible stores on one host need. */
  readonly pathStyle?: boolean;
}

export interface S3StoreOptions {
  readonly retry?: Partial<RetryPolicy>;
  /** Told of each retry (for the log): the error, the attempt that failed, the wait before the next. */
  readonly onRetry?: (e: unknown, attempt: number, delayMs: number) => void;
}

/** The S3 client settings quiver uses for every S3-compatible store. */
export function s3ClientConfig(connection: S3Connection): S3ClientConfig {
  return {
    region: connection.region,
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
    ...(connection.credentials ? { credentials: connection.credentials } : {}),
    ...(connection.profile ? { profile: connection.profile } : {}),
    forcePathStyle: connection.pathStyle ?? true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Retries are this module's (retry.ts): it needs to know which attempt failed how.
    maxAttempts: 1,
  };
}

export class S3Store implements ObjectStore {
  readonly location: string;
  readonly minPartBytes = 5 * 1024 * 1024;
  private readonly client: S3Client;
  private readonly policy: RetryPolicy;

  constructor(readonly where: S3Location, connection: S3Connection, private readonly options: S3StoreOptions = {}) {
    this.location = `s3://${where.bucket}${where.prefix ? `/${where.prefix}` : ''}`;
    this.client = new S3Client(s3ClientConfig(connection));
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  }

  /** Closes the client's connections. */
  close(): void {
    this.client.destroy();
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<PutOutcome> {
    const Key = this.objectKey(key);
    try {
      await this.retrying(({ signal }) =>
        this.client.send(new PutObjectCommand({ Bucket: this.where.bucket, Key, Body: body, ContentLength: body.byteLength, IfNoneMatch: '*' }), { abortSignal: signal }),
      );
      return 'created';
    } catch (e) {
      const r = e as RetriesExhausted;
      if (!(r instanceof RetriesExhausted)) throw e;
      if (r.final && status(r.last) === 412) return r.maybeApplied ? this.readBack(key, body, r.last) : 'exists';
      if (r.maybeApplied) return this.readBack(key, body, r.last, true);
      throw this.failure(r, 'writing', key);
    }
  }

  async get(key: string, options: GetOptions = {}): Promise<ObjectBytes> {
    checkRange(options.range);
    const Key = this.objectKey(key);
    const range = options.range;
    if (range && ('suffix' in range ? range.suffix === 0 : range.length === 0)) return this.emptyRange(key);
    const Range = range === undefined ? undefined : 'suffix' in range ? `bytes=-${range.suffix}` : `bytes=${range.offset}-${range.offset + range.length - 1}`;
    const IfMatch = options.ifMatch === undefined ? undefined : unquote(options.ifMatch);
    try {
      return await this.retrying(async ({ signal }) => {
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.where.bucket, Key, Range, IfMatch }), { abortSignal: signal });
        const bytes = await out.Body!.transformToByteArray();
        const total = /\/(\d+)$/.exec(out.ContentRange ?? '')?.[1];
        return { bytes, size: total !== undefined ? Number(total) : bytes.byteLength, ...(out.ETag ? { etag: unquote(out.ETag) } : {}) };
      });
    } catch (e) {
      const r = e as RetriesExhausted;
      if (!(r instanceof RetriesExhausted)) throw e;
      const code = status(r.last);
      if (code === 404) throw objectMissing(this.location, key);
      if (code === 416) return this.emptyRange(key);
      if (code === 412) {
        // RGW answers 412, not 404, for a missing key under If-Match.
        if ((await this.head(key)) === undefined) throw objectMissing(this.location, key);
        throw new QuiverError('FAILED_PRECONDITION', `${key} in ${this.location} is no longer the object with entity tag ${options.ifMatch}`, { cause: r.last });
      }
      throw this.failure(r, 'reading', key);
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const Key = this.objectKey(key);
    try {
      const out = await this.retrying(({ signal }) => this.client.send(new HeadObjectCommand({ Bucket: this.where.bucket, Key }), { abortSignal: signal }));
      return { key, size: out.ContentLength ?? 0, lastModified: out.LastModified ?? new Date(0), ...(out.ETag ? { etag: unquote(out.ETag) } : {}) };
    } catch (e) {
      if (e instanceof RetriesExhausted && status(e.last) === 404) return undefined;
      throw this.failure(e, 'reading', key);
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    checkPrefix(prefix);
    try {
      const out = await this.retrying(({ signal }) =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.where.bucket,
            Prefix: this.keyPrefix + prefix,
            ...(options.delimiter ? { Delimiter: options.delimiter } : {}),
            ...(options.limit ? { MaxKeys: Math.max(1, options.limit) } : {}),
            ...(options.token ? { ContinuationToken: options.token } : {}),
          }),
          { abortSignal: signal },
        ),
      );
      const strip = (k: string) => k.slice(this.keyPrefix.length);
      return {
        objects: (out.Contents ?? []).map((o) => ({ key: strip(o.Key!), size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0), ...(o.ETag ? { etag: unquote(o.ETag) } : {}) })),
        prefixes: (out.CommonPrefixes ?? []).map((p) => strip(p.Prefix!)),
        ...(out.IsTruncated && out.NextContinuationToken ? { next: out.NextContinuationToken } : {}),
      };
    } catch (e) {
      throw this.failure(e, 'listing', prefix);
    }
  }

  async delete(key: string): Promise<void> {
    const Key = this.objectKey(key);
    try {
      await this.retrying(({ signal }) => this.client.send(new DeleteObjectCommand({ Bucket: this.where.bucket, Key }), { abortSignal: signal }));
    } catch (e) {
      if (e instanceof RetriesExhausted && status(e.last) === 404) return;
      throw this.failure(e, 'deleting', key);
    }
  }

  async startUpload(key: string): Promise<string> {
    const Key = this.objectKey(key);
    try {
      const out = await this.retrying(({ signal }) => this.client.send(new CreateMultipartUploadCommand({ Bucket: this.where.bucket, Key }), { abortSignal: signal }));
      return out.UploadId!;
    } catch (e) {
      throw this.failure(e, 'starting an upload of', key);
    }
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<UploadedPart> {
    const Key = this.objectKey(key);
    try {
      const out = await this.retrying(({ signal }) =>
        this.client.send(new UploadPartCommand({ Bucket: this.where.bucket, Key, UploadId: uploadId, PartNumber: partNumber, Body: body, ContentLength: body.byteLength }), { abortSignal: signal }),
      );
      return { partNumber, etag: unquote(out.ETag!) };
    } catch (e) {
      if (e instanceof RetriesExhausted && status(e.last) === 404) throw new QuiverError('NOT_FOUND', `no upload ${uploadId} of ${key} in ${this.location} (completed, aborted or never begun)`, { cause: e.last });
      throw this.failure(e, 'uploading a part of', key);
    }
  }

  /**
   * Completes with If-None-Match: *; and because a store may ignore that header here (it is newer
   * on CompleteMultipartUpload than on PUT), the key is also checked first. A completion whose
   * reply was lost is recognised by the multipart entity tag, which S3 and RGW compute from the
   * parts' tags (MD5 of their MD5s, then "-" and the number of parts).
   */
  async completeUpload(key: string, uploadId: string, parts: UploadedPart[]): Promise<PutOutcome> {
    const Key = this.objectKey(key);
    const expected = multipartEtag(parts);
    if ((await this.head(key)) !== undefined) {
      await this.abortUpload(key, uploadId);
      return 'exists';
    }
    try {
      await this.retrying(({ signal }) =>
        this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.where.bucket, Key, UploadId: uploadId, IfNoneMatch: '*',
            MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
          }),
          { abortSignal: signal },
        ),
      );
      return 'created';
    } catch (e) {
      const r = e as RetriesExhausted;
      if (!(r instanceof RetriesExhausted)) throw e;
      const code = status(r.last);
      if (r.maybeApplied) {
        const info = await this.head(key).catch(() => null);
        if (info && info.etag === expected) return 'created';
        if (info === null || (info === undefined && !r.final)) throw outcomeUnknown(this.location, key, r.last);
        if (info) {
          await this.abortUpload(key, uploadId);
          return 'exists';
        }
      }
      if (code === 412) {
        await this.abortUpload(key, uploadId);
        return 'exists';
      }
      if (code === 404) throw new QuiverError('NOT_FOUND', `no upload ${uploadId} of ${key} in ${this.location} (completed, aborted or never begun)`, { cause: r.last });
      if (code === 400) throw new QuiverError('INVALID_ARGUMENT', `completing the upload of ${key} in ${this.location}: ${(r.last as Error).message}`, { cause: r.last });
      throw this.failure(r, 'completing an upload of', key);
    }
  }

  async abortUpload(key: string, uploadId: string): Promise<void> {
    const Key = this.objectKey(key);
    try {
      await this.retrying(({ signal }) => this.client.send(new AbortMultipartUploadCommand({ Bucket: this.where.bucket, Key, UploadId: uploadId }), { abortSignal: signal }));
    } catch (e) {
      if (e instanceof RetriesExhausted && status(e.last) === 404) return;
      throw this.failure(e, 'aborting an upload of', key);
    }
  }

  async listUploads(prefix: string): Promise<PendingUpload[]> {
    checkPrefix(prefix);
    const out: PendingUpload[] = [];
    let KeyMarker: string | undefined;
    let UploadIdMarker: string | undefined;
    try {
      for (;;) {
        const page = await this.retrying(({ signal }) =>
          this.client.send(new ListMultipartUploadsCommand({ Bucket: this.where.bucket, Prefix: this.keyPrefix + prefix, KeyMarker, UploadIdMarker }), { abortSignal: signal }),
        );
        for (const u of page.Uploads ?? []) out.push({ key: u.Key!.slice(this.keyPrefix.length), uploadId: u.UploadId!, initiated: u.Initiated ?? new Date(0) });
        if (!page.IsTruncated) break;
        KeyMarker = page.NextKeyMarker;
        UploadIdMarker = page.NextUploadIdMarker;
      }
    } catch (e) {
      throw this.failure(e, 'listing uploads under', prefix);
    }
    return out.sort((a, b) => a.initiated.getTime() - b.initiated.getTime());
  }

  private get keyPrefix(): string {
    return this.where.prefix ? `${this.where.prefix}/` : '';
  }

  private objectKey(key: string): string {
    return this.keyPrefix + checkKey(key);
  }

  private retrying<T>(attempt: (ctx: AttemptContext) => Promise<T>): Promise<T> {
    return withRetries(this.policy, classify, attempt, this.options.onRetry);
  }

  private async emptyRange(key: string): Promise<ObjectBytes> {
    const info = await this.head(key);
    if (!info) throw objectMissing(this.location, key);
    return { bytes: new Uint8Array(0), size: info.size, ...(info.etag ? { etag: info.etag } : {}) };
  }

  /**
   * After a put that may have been applied: 'created' when the key holds exactly `body`, 'exists'
   * when it holds something else; unknown when it cannot be read or holds nothing yet (an
   * attempt still on its way could land later).
   */
  private async readBack(key: string, body: Uint8Array, cause: unknown, mayBeMissing = false): Promise<PutOutcome> {
    let stored: Uint8Array;
    try {
      stored = (await this.get(key)).bytes;
    } catch (e) {
      throw outcomeUnknown(this.location, key, mayBeMissing ? cause : e);
    }
    return Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength).equals(body) ? 'created' : 'exists';
  }

  private failure(e: unknown, what: string, key: string): unknown {
    if (e instanceof QuiverError) return e;
    const r = e instanceof RetriesExhausted ? e : undefined;
    const last = r?.last ?? e;
    const code = status(last);
    const detail = `${(last as Error)?.name ?? 'Error'}: ${(last as Error)?.message ?? String(last)}`;
    if (code === 403) return new QuiverError('PERMISSION_DENIED', `${what} ${key} in ${this.location}: access denied (${detail})`, { cause: last });
    if (code === 404 && /NoSuchBucket/.test(detail)) return new QuiverError('NOT_FOUND', `${this.location}: the bucket does not exist (${detail})`, { cause: last });
    if (code === 501) return new QuiverError('UNIMPLEMENTED', `${what} ${key} in ${this.location}: the store does not implement it (${detail})`, { cause: last });
    if (r?.final) return new QuiverError('INTERNAL', `${what} ${key} in ${this.location}: the store refused (${detail})`, { cause: last });
    return new QuiverError('UNAVAILABLE', `${what} ${key} in ${this.location} failed${r ? ` after ${r.attempts} attempts` : ''}: ${detail}`, { retriable: true, cause: last });
  }
}

/** The HTTP status of an SDK error, if the store answered. */
function status(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * 429, 503 and 409 (a conditional write conflicting with another in flight) mean "not applied,
 * try again"; other 5xx but 501, timeouts and broken connections may have been applied; a refused
 * connection never reached the store; every other answer is final.
 */
export function classify(e: unknown, timedOut: boolean): FailureKind {
  if (timedOut) return 'ambiguous';
  if (e instanceof TypeError || e instanceof RangeError) return 'final';
  const code = status(e);
  const name = (e as Error)?.name ?? '';
  if (code === 429 || code === 503 || code === 409 || name === 'SlowDown' || name === 'ThrottlingException') return 'transient';
  // 501 Not Implemented is an answer (Swift's s3api gives it for conditional PUTs).
  if (code === 501) return 'final';
  if (code !== undefined && code >= 500) return 'ambiguous';
  if (code !== undefined && code >= 300) return 'final';
  const errno = (e as NodeJS.ErrnoException)?.code ?? ((e as { cause?: NodeJS.ErrnoException })?.cause?.code);
  if (errno !== undefined && TRANSIENT_CODES.has(errno)) return 'transient';
  // Socket hang-ups, resets, aborted or malformed responses: the request may have arrived.
  return 'ambiguous';
}

const unquote = (etag: string) => etag.replace(/^"(.*)"$/, '$1');

/** The entity tag S3 gives an object completed from `parts`: MD5 of the parts' MD5s, "-", their count. */
export function multipartEtag(parts: UploadedPart[]): string {
  const hash = createHash('md5');
  for (const p of parts) hash.update(Buffer.from(unquote(p.etag), 'hex'));
  return `${hash.digest('hex')}-${parts.length}`;
}
