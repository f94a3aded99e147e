// Publishing files under their final names, complete or not at all. Every file quiver refers to
// by name (data files, manifests, log entries, table.json) goes through publish(): the bytes are
// written under a temporary name beside the final one and fsynced, then link(2) gives them the
// final name (failing with EEXIST, never replacing what is there: rename(2) would overwrite), then
// the directory is fsynced so the name survives a crash. A crash or a full disk at any step
// leaves at most a temporary file (orphan collection removes it), never a torn file under a
// final name.
//
// If the directory's fsync fails after the link, whether the name survives a crash is unknown,
// yet readers in this process already see it. publish() resolves that before returning: it
// unlinks the name and fsyncs again, so the file is durably not published (UnpublishedError);
// only when even that fails is the outcome left open (PublishOutcomeUnknownError), for the
// caller to report as such rather than as a plain failure a client would retry.
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { QuiverError } from './errors.ts';

/**
 * The system calls of publication that can fail after a file is already visible. Replaceable so
 * that a test can fail one of them (EIO, ENOSPC) on a real file system; SYSTEM_CALLS otherwise.
 */
export interface PublishCalls {
  link(existing: string, target: string): Promise<void>;
  /** fsync(2) of a directory: makes its entries (new or removed names) durable. */
  syncDirectory(dir: string): Promise<void>;
}

export const SYSTEM_CALLS: PublishCalls = {
  link: (existing, target) => fs.link(existing, target),
  syncDirectory: (dir) => syncPath(dir),
};

/** The file was not published, durably: its final name does not exist (the cause says why). */
export class UnpublishedError extends Error {
  constructor(readonly file: string, cause: unknown) {
    super(`${file} was not published: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'UnpublishedError';
  }
}

/** The file is visible under its final name but may not survive a crash, and could not be withdrawn. */
export class PublishOutcomeUnknownError extends Error {
  constructor(readonly file: string, cause: unknown) {
    super(`${file} was linked into place, but neither its directory entry nor its removal could be made durable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'PublishOutcomeUnknownError';
  }
}

/** A file being written under a temporary name in its final directory, until publish() or discard(). */
export class NewFile {
  private closed = false;

  private constructor(
    readonly target: string,
    readonly temp: string,
    /** The open temporary file, for callers that write it piece by piece. */
    readonly handle: fs.FileHandle,
    private readonly calls: PublishCalls,
  ) {}

  static async create(target: string, calls: PublishCalls = SYSTEM_CALLS): Promise<NewFile> {
    const temp = temporaryName(target);
    return new NewFile(target, temp, await fs.open(temp, 'wx'), calls);
  }

  /**
   * fsyncs the contents, links them into place under the final name (EEXIST when it exists: the
   * error keeps that code) and fsyncs the directory; see the top of this file for a failure of
   * that last fsync.
   */
  async publish(): Promise<void> {
    await this.link();
    const dir = path.dirname(this.target);
    try {
      await this.calls.syncDirectory(dir);
    } catch (e) {
      try {
        await fs.rm(this.target);
        await this.calls.syncDirectory(dir);
      } catch {
        throw new PublishOutcomeUnknownError(this.target, e);
      }
      throw new UnpublishedError(this.target, e);
    }
  }

  /**
   * publish() without the directory's fsync: for files that nothing names until their writer
   * has fsynced the directory once for many of them (a commit does for its data files and
   * manifests). Until then the name may not survive a crash, and the file is an orphan if so.
   */
  async link(): Promise<void> {
    try {
      await this.handle.sync();
      await this.close();
      await this.calls.link(this.temp, this.target);
    } catch (e) {
      await this.discard();
      throw e;
    }
    await fs.rm(this.temp, { force: true }).catch(() => undefined);
  }

  /** Removes the temporary file; the final name is never touched. */
  async discard(): Promise<void> {
    await this.close().catch(() => undefined);
    await fs.rm(this.temp, { force: true }).catch(() => undefined);
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

/**
 * Publishes `data` as the file `target`, complete or not at all (NewFile.publish); with
 * `syncDirectory: false` the caller fsyncs the directory before anything names the file (NewFile.link).
 */
export async function publishFile(target: string, data: Uint8Array | string, calls: PublishCalls = SYSTEM_CALLS, options: { syncDirectory?: boolean } = {}): Promise<void> {
  const file = await NewFile.create(target, calls);
  try {
    await file.handle.writeFile(data);
  } catch (e) {
    await file.discard();
    throw e;
  }
  await (options.syncDirectory === false ? file.link() : file.publish());
}

/**
 * Publishes a copy of everything `source` holds as the file `target` (an import copies the
 * descriptor it verified, so the file cannot be swapped between the check and the copy).
 */
export async function publishCopy(source: fs.FileHandle, target: string, calls: PublishCalls = SYSTEM_CALLS): Promise<number> {
  const file = await NewFile.create(target, calls);
  let bytes = 0;
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await source.read(chunk, 0, chunk.byteLength, bytes);
      if (bytesRead === 0) break;
      let done = 0;
      while (done < bytesRead) done += (await file.handle.write(chunk, done, bytesRead - done)).bytesWritten;
      bytes += bytesRead;
    }
  } catch (e) {
    await file.discard();
    throw e;
  }
  await file.publish();
  return bytes;
}

/** Temporary files start with this; nothing quiver publishes does. */
export const TEMPORARY_PREFIX = '.tmp-';

/** True for the name of a temporary file left by a crash before its publication. */
export const isTemporaryName = (name: string) => name.startsWith(TEMPORARY_PREFIX);

const temporaryName = (target: string) => path.join(path.dirname(target), `${TEMPORARY_PREFIX}${randomUUID()}-${path.basename(target)}`);

/** Makes a file's contents, or a directory's entries (new files' names), durable. */
export async function syncPath(target: string): Promise<void> {
  const fh = await fs.open(target, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Creates `dir` and any missing parents, and makes the new directories durable: each is fsynced,
 * and so is the existing directory that holds the first of them.
 */
export async function ensureDirectory(dir: string, calls: PublishCalls = SYSTEM_CALLS): Promise<void> {
  const first = await fs.mkdir(dir, { recursive: true });
  if (first !== undefined) await syncDirectoriesUp(dir, path.dirname(first), calls);
}

/** fsyncs `from` and each directory above it, up to and including `to` (an ancestor of `from`). */
export async function syncDirectoriesUp(from: string, to: string, calls: PublishCalls = SYSTEM_CALLS): Promise<void> {
  const top = path.resolve(to);
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    await calls.syncDirectory(dir);
    if (dir === top || dir === path.dirname(dir)) return;
  }
}

export async function removeQuietly(file: string): Promise<void> {
  await fs.rm(file, { force: true, recursive: true }).catch(() => undefined);
}

export const isNotFound = (e: unknown) => (e as NodeJS.ErrnoException)?.code === 'ENOENT';
export const isAlreadyExists = (e: unknown) => (e as NodeJS.ErrnoException)?.code === 'EEXIST';

export function within(root: string, child: string): boolean {
  const rel = path.relative(root, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * A failed system call on the data root (a full disk, an I/O error) as the QuiverError a client
 * can act on; other errors are returned as they are. Only for failures of work that nothing
 * refers to yet (a commit before its log entry is published): "nothing was committed".
 */
export function ioFailure(e: unknown, what: string): unknown {
  // A file whose publication is unresolved is still unpublished when nothing refers to it yet.
  const cause = (e instanceof UnpublishedError || e instanceof PublishOutcomeUnknownError ? e.cause : e) as NodeJS.ErrnoException;
  if (e instanceof QuiverError || typeof cause?.code !== 'string' || typeof cause.syscall !== 'string') return e;
  const full = cause.code === 'ENOSPC' || cause.code === 'EDQUOT';
  return new QuiverError(full ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE', `${what} failed: ${full ? 'the data root is full' : 'the data root could not be written'} (${cause.message}); nothing was committed`, { retriable: true, cause: e });
}
