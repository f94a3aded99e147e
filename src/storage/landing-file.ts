// The Arrow IPC stream file a DoPut lands its batches in, written without making the stream
// wait for the disk: each frame is queued as one writev (prefix + body, no re-framing copy) and
// the caller goes on taking frames until `maxQueuedBytes` are waiting, which bounds the memory
// held. finish() fsyncs and publishes the file (durable-files.ts), so a file is complete on disk
// before any commit names it. Profiles of the old path showed the main thread 61% idle while
// each frame's write was awaited before the next was read.
import { NewFile } from '../durable-files.ts';
import { END_OF_STREAM, framePrefix, type IpcFrame } from '../arrow/ipc-framing.ts';

export class LandingFileWriter {
  private bytes = 0;
  private queued = 0;
  private tail: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private drained: (() => void) | null = null;

  private constructor(
    private readonly file: NewFile,
    private readonly maxQueuedBytes: number,
  ) {}

  static async create(target: string, maxQueuedBytes: number): Promise<LandingFileWriter> {
    return new LandingFileWriter(await NewFile.create(target), maxQueuedBytes);
  }

  /** Bytes written or queued so far (the file's size once finished, less the end marker). */
  get size(): number {
    return this.bytes;
  }

  /** Queues one frame; resolves at once unless too many bytes are still waiting for the disk. */
  append(frame: IpcFrame): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const parts = frame.body.byteLength > 0 ? [framePrefix(frame.header), frame.body] : [framePrefix(frame.header)];
    this.enqueue(parts);
    if (this.queued <= this.maxQueuedBytes) return Promise.resolve();
    return new Promise<void>((resolve) => (this.drained = resolve)).then(() => {
      if (this.failure !== null) throw this.failure;
    });
  }

  /** Ends the stream, waits for every queued write, fsyncs and publishes; returns the file size. */
  async finish(): Promise<number> {
    if (this.failure === null) this.enqueue([END_OF_STREAM]);
    await this.tail;
    if (this.failure !== null) {
      await this.file.discard();
      throw this.failure;
    }
    await this.file.publish();
    return this.bytes;
  }

  /** Gives the file up: nothing is published. */
  async close(): Promise<void> {
    await this.tail;
    await this.file.discard();
  }

  private enqueue(parts: Uint8Array[]): void {
    const n = parts.reduce((s, p) => s + p.byteLength, 0);
    this.bytes += n;
    this.queued += n;
    this.tail = this.tail.then(async () => {
      if (this.failure !== null) return;
      try {
        await writeAll(this.file, parts);
      } catch (e) {
        this.failure = e;
      }
    }).finally(() => {
      this.queued -= n;
      if (this.drained && (this.queued <= this.maxQueuedBytes / 2 || this.failure !== null)) {
        const wake = this.drained;
        this.drained = null;
        wake();
      }
    });
  }
}

/** writev until every byte is written (a short write leaves the rest of the parts to send). */
async function writeAll(file: NewFile, parts: Uint8Array[]): Promise<void> {
  let rest = parts;
  while (rest.length > 0) {
    const { bytesWritten } = await file.handle.writev(rest);
    let skip = bytesWritten;
    const next: Uint8Array[] = [];
    for (const p of rest) {
      if (skip >= p.byteLength) {
        skip -= p.byteLength;
        continue;
      }
      next.push(skip > 0 ? p.subarray(skip) : p);
      skip = 0;
    }
    rest = next;
  }
}
