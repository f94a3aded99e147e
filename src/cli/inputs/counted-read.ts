// A file's bytes as an async iterable that counts what has been read, for progress reporting.
import fs from 'node:fs';

export interface CountedRead {
  chunks: AsyncGenerator<Buffer>;
  bytesRead(): number;
  close(): void;
}

export function countedRead(file: string): CountedRead {
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  let read = 0;
  async function* chunks(): AsyncGenerator<Buffer> {
    for await (const chunk of stream) {
      read += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }
  return { chunks: chunks(), bytesRead: () => read, close: () => stream.destroy() };
}
