// A sink for apache-arrow's RecordBatchWriters that hands their output over synchronously, so
// the bytes of one batch can be taken right after writer.write(batch) returns. (Their own
// AsyncByteQueue is meant to be drained by an async reader running alongside.)
import { AsyncByteQueue } from 'apache-arrow';

export class WriterChunks extends AsyncByteQueue {
  private chunks: Uint8Array[] = [];

  override write(value: Uint8Array): void {
    if (value.byteLength > 0) this.chunks.push(value);
  }

  /** Everything written since the last take(), as one buffer. */
  take(): Uint8Array {
    const out = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    return out;
  }
}
