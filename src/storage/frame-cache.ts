// Decoded data files kept as the IPC frames DoGet sends, so that a hot table is served without
// touching Parquet again. Least recently used entries go first once the byte budget is spent.
// Data files never change, so an entry can never be stale; a dropped table's entries just age out.
import type { IpcFrame } from '../arrow/ipc-framing.ts';

type Frame = IpcFrame & { appMetadata?: Uint8Array };

export interface FrameCacheStats {
  bytes: number;
  budgetBytes: number;
  entries: number;
  hits: number;
  misses: number;
}

export class FrameCache {
  private readonly entries = new Map<string, { frames: Frame[]; bytes: number }>();
  private used = 0;
  private hits = 0;
  private misses = 0;

  constructor(readonly budgetBytes: number) {}

  get(key: string): Frame[] | undefined {
    const e = this.entries.get(key);
    if (!e) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Re-insert: Map iteration order is insertion order, so the front is least recently used.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.frames;
  }

  /** Whether an entry of this size could be kept at all. */
  admits(bytes: number): boolean {
    return bytes <= this.budgetBytes / 2;
  }

  set(key: string, frames: Frame[]): void {
    const bytes = frames.reduce((n, f) => n + f.header.byteLength + f.body.byteLength, 0);
    if (!this.admits(bytes) || this.entries.has(key)) return;
    for (const [k, e] of this.entries) {
      if (this.used + bytes <= this.budgetBytes) break;
      this.entries.delete(k);
      this.used -= e.bytes;
    }
    this.entries.set(key, { frames, bytes });
    this.used += bytes;
  }

  stats(): FrameCacheStats {
    return { bytes: this.used, budgetBytes: this.budgetBytes, entries: this.entries.size, hits: this.hits, misses: this.misses };
  }

  /** Forgets everything; returns the bytes freed. */
  clear(): number {
    const freed = this.used;
    this.entries.clear();
    this.used = 0;
    return freed;
  }
}
