// The object store on a local (or NFS) filesystem: key a/b/c is the file ROOT/a/b/c. An object
// is published as durable-files.ts publishes every file: written under a temporary name beside
// its final one, fsynced, given its final name by link(2), which fails with EEXIST when the key
// is taken (rename(2) would replace it; an O_EXCL create would show a half-written file under
// the final name), then the directory is fsynced. That is put-if-absent, whole or nothing, on any
// POSIX filesystem, NFS included.
//
// A multipart upload is a directory ROOT/.quiver-uploads/<id>/ holding upload.json (the key and
// when it began) and one file per part; completing it copies the parts, in order, into a new
// file published the same way, so no part is ever visible under the key on its own.
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { QuiverError } from '../errors.ts';
import {
  ensureDirectory, isAlreadyExists, isNotFound, isTemporaryName, NewFile, publishFile,
  PublishOutcomeUnknownError, removeQuietly, UnpublishedError, SYSTEM_CALLS, type PublishCalls,
} from '../durable-files.ts';
import {
  checkKey, checkPrefix, checkRange, compareKeys, objectMissing, outcomeUnknown, resolveRange, UPLOADS_DIR,
  type GetOptions, type ListOptions, type ListPage, type ObjectBytes, type ObjectInfo, type ObjectStore,
  type PendingUpload, type PutOutcome, type UploadedPart,
} from './object-store.ts';

const UPLOAD_ID = /^[0-9a-f-]{36}$/;
const DEFAULT_PAGE = 1000;

export class FilesystemStore implements ObjectStore {
  readonly location: string;
  readonly minPartBytes = 1;

  constructor(readonly root: string, private readonly calls: PublishCalls = SYSTEM_CALLS) {
    this.root = path.resolve(root);
    this.location = this.root;
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<PutOutcome> {
    const file = this.file(key);
    try {
      await ensureDirectory(path.dirname(file), this.calls);
      await publishFile(file, body, this.calls);
      return 'created';
    } catch (e) {
      return this.publicationOutcome(key, e);
    }
  }

  async get(key: string, options: GetOptions = {}): Promise<ObjectBytes> {
    checkRange(options.range);
    if (options.ifMatch !== undefined) throw new QuiverError('INVALID_ARGUMENT', 'the filesystem store has no entity tags (ifMatch)');
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(this.file(key), 'r');
    } catch (e) {
      throw this.failure(e, 'reading', key);
    }
    try {
      const size = (await fh.stat()).size;
      const { start, end } = resolveRange(options.range, size);
      const bytes = new Uint8Array(Math.max(0, end - start));
      let done = 0;
      while (done < bytes.length) {
        const { bytesRead } = await fh.read(bytes, done, bytes.length - done, start + done);
        if (bytesRead === 0) throw new QuiverError('DATA_LOSS', `${key} in ${this.location} ended before byte ${start + done}`);
        done += bytesRead;
      }
      return { bytes, size };
    } catch (e) {
      throw this.failure(e, 'reading', key);
    } finally {
      await fh.close();
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const st = await fs.stat(this.file(key));
      return st.isFile() ? { key, size: st.size, lastModified: st.mtime } : undefined;
    } catch (e) {
      if (isNotFound(e) || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw this.failure(e, 'reading', key);
    }
  }

  /**
   * Walks the directories under the prefix's whole segments and pages through the sorted keys.
   * The page token is the last key returned, so a listing carries on correctly when objects are
   * added or removed between pages (as S3's continuation does).
   */
  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    checkPrefix(prefix);
    const limit = Math.max(1, options.limit ?? DEFAULT_PAGE);
    const cut = prefix.lastIndexOf('/');
    const base = cut >= 0 ? prefix.slice(0, cut + 1) : '';
    const entries: { key: string; info?: ObjectInfo }[] = [];
    const prefixes = new Set<string>();
    const walk = async (rel: string): Promise<void> => {
      let dirents;
      try {
        dirents = await fs.readdir(path.join(this.root, rel), { withFileTypes: true });
      } catch (e) {
        if (isNotFound(e) || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return;
        throw this.failure(e, 'listing', prefix);
      }
      for (const d of dirents) {
        if (isTemporaryName(d.name) || (rel === '' && d.name === UPLOADS_DIR)) continue;
        const key = rel + d.name;
        if (d.isDirectory()) {
          const dirKey = `${key}/`;
          if (!dirKey.startsWith(prefix) && !prefix.startsWith(dirKey)) continue;
          // S3 has no directories: one that holds no object (left by deletes) is not listed.
          if (options.delimiter === '/' && dirKey.startsWith(prefix)) {
            if (await this.holdsObject(dirKey)) prefixes.add(dirKey);
          } else await walk(dirKey);
        } else if (d.isFile() && key.startsWith(prefix)) {
          if (options.delimiter && options.delimiter !== '/' && key.indexOf(options.delimiter, prefix.length) >= 0) {
            prefixes.add(key.slice(0, key.indexOf(options.delimiter, prefix.length) + options.delimiter.length));
          } else entries.push({ key });
        }
      }
    };
    await walk(base);
    const all = [...entries.map((e) => ({ key: e.key, isPrefix: false })), ...[...prefixes].map((p) => ({ key: p, isPrefix: true }))]
      .filter((e) => options.token === undefined || compareKeys(e.key, options.token) > 0)
      .sort((a, b) => compareKeys(a.key, b.key));
    const page = all.slice(0, limit);
    const objects: ObjectInfo[] = [];
    for (const e of page.filter((p) => !p.isPrefix)) {
      const info = await this.head(e.key);
      if (info) objects.push(info);
    }
    return {
      objects,
      prefixes: page.filter((p) => p.isPrefix).map((p) => p.key),
      ...(all.length > limit ? { next: page.at(-1)!.key } : {}),
    };
  }

  async delete(key: string): Promise<void> {
    try {
      await fs.rm(this.file(key));
    } catch (e) {
      if (!isNotFound(e)) throw this.failure(e, 'deleting', key);
    }
  }

  async startUpload(key: string): Promise<string> {
    checkKey(key);
    const uploadId = randomUUID();
    const dir = this.uploadDir(uploadId);
    try {
      await ensureDirectory(dir, this.calls);
      await publishFile(path.join(dir, 'upload.json'), JSON.stringify({ key, initiated: new Date().toISOString() }), this.calls);
    } catch (e) {
      await removeQuietly(dir);
      throw this.failure(e, 'starting an upload of', key);
    }
    return uploadId;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<UploadedPart> {
    if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > 10_000) throw new QuiverError('INVALID_ARGUMENT', `part number ${partNumber} is not in 1..10000`);
    await this.upload(key, uploadId);
    const file = path.join(this.uploadDir(uploadId), partName(partNumber));
    // A part sent again replaces the earlier one, as in S3; the part is not an object yet.
    await removeQuietly(file);
    try {
      await publishFile(file, body, this.calls);
    } catch (e) {
      throw this.failure(e, 'uploading a part of', key);
    }
    return { partNumber, etag: `${partNumber}-${body.byteLength}` };
  }

  async completeUpload(key: string, uploadId: string, parts: UploadedPart[]): Promise<PutOutcome> {
    await this.upload(key, uploadId);
    const dir = this.uploadDir(uploadId);
    for (let i = 1; i < parts.length; i++) {
      if (parts[i]!.partNumber <= parts[i - 1]!.partNumber) throw new QuiverError('INVALID_ARGUMENT', 'parts must be listed in ascending order of part number');
    }
    const target = this.file(key);
    let file: NewFile | undefined;
    try {
      await ensureDirectory(path.dirname(target), this.calls);
      file = await NewFile.create(target, this.calls);
      for (const part of parts) {
        const bytes = await fs.readFile(path.join(dir, partName(part.partNumber))).catch((e) => {
          throw isNotFound(e) ? new QuiverError('INVALID_ARGUMENT', `part ${part.partNumber} of upload ${uploadId} was never uploaded`) : e;
        });
        if (`${part.partNumber}-${bytes.byteLength}` !== part.etag) throw new QuiverError('INVALID_ARGUMENT', `part ${part.partNumber} of upload ${uploadId} is not the one uploaded (etag ${part.etag})`);
        await file.handle.writeFile(bytes);
      }
    } catch (e) {
      await file?.discard();
      throw this.failure(e, 'completing an upload of', key);
    }
    let outcome: PutOutcome;
    try {
      await file.publish();
      outcome = 'created';
    } catch (e) {
      outcome = this.publicationOutcome(key, e);
    }
    await removeQuietly(dir);
    return outcome;
  }

  async abortUpload(_key: string, uploadId: string): Promise<void> {
    if (!UPLOAD_ID.test(uploadId)) return;
    await fs.rm(this.uploadDir(uploadId), { recursive: true, force: true }).catch((e) => {
      throw this.failure(e, 'aborting upload', uploadId);
    });
  }

  async listUploads(prefix: string): Promise<PendingUpload[]> {
    checkPrefix(prefix);
    let ids: string[];
    try {
      ids = await fs.readdir(path.join(this.root, UPLOADS_DIR));
    } catch (e) {
      if (isNotFound(e)) return [];
      throw this.failure(e, 'listing uploads under', prefix);
    }
    const out: PendingUpload[] = [];
    for (const uploadId of ids.filter((id) => UPLOAD_ID.test(id))) {
      const meta = await this.readUpload(uploadId);
      // An upload whose upload.json is missing began and crashed before publishing it: its
      // directory's time stands in for the start, so that collection still finds it.
      const initiated = meta ? new Date(meta.initiated) : (await fs.stat(this.uploadDir(uploadId)).catch(() => undefined))?.mtime;
      const key = meta?.key ?? '';
      if (initiated && key.startsWith(prefix)) out.push({ key, uploadId, initiated });
    }
    return out.sort((a, b) => a.initiated.getTime() - b.initiated.getTime());
  }

  private async holdsObject(rel: string): Promise<boolean> {
    const dirents = await fs.readdir(path.join(this.root, rel), { withFileTypes: true }).catch(() => []);
    for (const d of dirents) {
      if (isTemporaryName(d.name)) continue;
      if (d.isFile() || (d.isDirectory() && (await this.holdsObject(`${rel}${d.name}/`)))) return true;
    }
    return false;
  }

  /** The file of a key (checked: it stays under the root). */
  private file(key: string): string {
    return path.join(this.root, ...checkKey(key).split('/'));
  }

  private uploadDir(uploadId: string): string {
    return path.join(this.root, UPLOADS_DIR, uploadId);
  }

  private async readUpload(uploadId: string): Promise<{ key: string; initiated: string } | undefined> {
    try {
      return JSON.parse(await fs.readFile(path.join(this.uploadDir(uploadId), 'upload.json'), 'utf8'));
    } catch {
      return undefined;
    }
  }

  private async upload(key: string, uploadId: string): Promise<void> {
    const meta = UPLOAD_ID.test(uploadId) ? await this.readUpload(uploadId) : undefined;
    if (meta?.key !== key) throw new QuiverError('NOT_FOUND', `no upload ${uploadId} of ${key} in ${this.location} (completed, aborted or never begun)`);
  }

  /** What a failed publication means: the key was taken, nothing was written, or nobody knows. */
  private publicationOutcome(key: string, e: unknown): PutOutcome {
    if (isAlreadyExists(e)) return 'exists';
    if (e instanceof PublishOutcomeUnknownError) throw outcomeUnknown(this.location, key, e);
    throw this.failure(e instanceof UnpublishedError ? e.cause : e, 'writing', key);
  }

  private failure(e: unknown, what: string, key: string): unknown {
    if (e instanceof QuiverError) return e;
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return objectMissing(this.location, key);
    if (typeof code !== 'string') return e;
    const full = code === 'ENOSPC' || code === 'EDQUOT';
    return new QuiverError(full ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE', `${what} ${key} in ${this.location} failed: ${(e as Error).message}`, { retriable: true, cause: e });
  }
}

const partName = (n: number) => `part-${String(n).padStart(5, '0')}`;
