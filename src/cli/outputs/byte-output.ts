// Bytes to a file or stdout with backpressure; a file is written under a temporary name and
// renamed into place by finish(), so a failed download never leaves a truncated file.
import fs from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';

export interface ByteOutput {
  write(bytes: Uint8Array): Promise<void>;
  finish(): Promise<void>;
  abort(): Promise<void>;
}

export function openByteOutput(file: string | null): ByteOutput {
  if (file === null) return stdoutOutput();
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.part`);
  const out = fs.createWriteStream(temp, { flags: 'wx' });
  let failure: Error | null = null;
  out.on('error', (e) => (failure = e));
  return {
    async write(bytes) {
      if (failure) throw failure;
      if (!out.write(bytes)) await once(out, 'drain');
    },
    async finish() {
      out.end();
      await once(out, 'finish');
      if (failure) throw failure;
      await fs.promises.rename(temp, file);
    },
    async abort() {
      out.destroy();
      await fs.promises.rm(temp, { force: true });
    },
  };
}

function stdoutOutput(): ByteOutput {
  const out = process.stdout;
  return {
    async write(bytes) {
      if (!out.write(bytes)) await once(out, 'drain');
    },
    async finish() {},
    async abort() {},
  };
}
