// Data files kept as Arrow IPC streams: the messages exactly as the client sent them (schema,
// dictionaries including deltas, compressed bodies), for schemas Parquet cannot hold exactly.
import fs from 'node:fs/promises';
import { NewFile } from '../durable-files.ts';
import { END_OF_STREAM, framePrefix, readBodyLength, type IpcFrame } from '../arrow/ipc-framing.ts';

/** Writes a stream file under a temporary name; finish() publishes it under its own (durable-files.ts). */
export class ArrowStreamFileWriter {
  private bytes = 0;
  private constructor(private readonly file: NewFile) {}

  static async create(file: string): Promise<ArrowStreamFileWriter> {
    return new ArrowStreamFileWriter(await NewFile.create(file));
  }

  async append(frame: IpcFrame): Promise<void> {
    const prefix = framePrefix(frame.header);
    await this.writeAll(prefix);
    if (frame.body.byteLength > 0) await this.writeAll(frame.body);
  }

  /** Ends the stream and publishes the file under its name; returns the file size. */
  async finish(): Promise<number> {
    try {
      await this.writeAll(END_OF_STREAM);
    } catch (e) {
      await this.file.discard();
      throw e;
    }
    await this.file.publish();
    return this.bytes;
  }

  /** Gives the file up: nothing is published. */
  async close(): Promise<void> {
    await this.file.discard();
  }

  private async writeAll(data: Uint8Array): Promise<void> {
    let done = 0;
    while (done < data.byteLength) {
      const { bytesWritten } = await this.file.handle.write(data, done, data.byteLength - done);
      done += bytesWritten;
    }
    this.bytes += data.byteLength;
  }
}

/**
 * Streams a stored IPC stream file message by message, reading only one message at a time.
 * Bodies land in fresh buffers, so they start 8-byte aligned as Arrow readers want.
 */
export async function* readArrowStreamFile(file: string, options: { skipSchema: boolean }): AsyncGenerator<IpcFrame> {
  const fh = await fs.open(file, 'r');
  try {
    let pos = 0;
    let first = true;
    const prefix = Buffer.alloc(8);
    for (;;) {
      const { bytesRead } = await fh.read(prefix, 0, 8, pos);
      if (bytesRead < 8) throw new Error(`${file}: truncated Arrow stream at byte ${pos}`);
      const len = prefix.readInt32LE(4);
      if (prefix.readUInt32LE(0) !== 0xffffffff || len < 0) throw new Error(`${file}: bad message prefix at byte ${pos}`);
      if (len === 0) return;
      pos += 8;
      const header = Buffer.allocUnsafeSlow(len);
      await readExactly(fh, header, pos, file);
      pos += len;
      const body = Buffer.allocUnsafeSlow(readBodyLength(header));
      if (body.byteLength > 0) await readExactly(fh, body, pos, file);
      pos += body.byteLength;
      const isSchema = first;
      first = false;
      if (isSchema && options.skipSchema) continue;
      yield { header, body };
    }
  } finally {
    await fh.close();
  }
}

async function readExactly(fh: fs.FileHandle, into: Buffer, position: number, file: string): Promise<void> {
  let done = 0;
  while (done < into.byteLength) {
    const { bytesRead } = await fh.read(into, done, into.byteLength - done, position + done);
    if (bytesRead === 0) throw new Error(`${file}: truncated Arrow stream at byte ${position + done}`);
    done += bytesRead;
  }
}
