// A small pool of worker threads for Parquet work. parquet-wasm is synchronous and CPU-bound,
// and a trap inside it (a corrupt file, an unsupported corner of arrow-rs) aborts its wasm
// instance: in a worker that costs one request and a restart instead of the whole server.
// A WebAssembly heap grows to the largest file a worker ever handled and never shrinks, so a
// worker whose heap has grown is ended once it has been idle a while (or at once past a hard
// bound): its memory goes back to the system and the next request starts a fresh worker.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ParquetCompression } from './parquet-codec.ts';

export type PoolRequest =
  | { id: number; op: 'encode'; ipc: ArrayBuffer; rows: number; compression: ParquetCompression }
  | { id: number; op: 'rowGroups'; file: string }
  | { id: number; op: 'readFooter'; file: string }
  | { id: number; op: 'verifyReadable'; file: string }
  | { id: number; op: 'readRowGroup'; file: string; group: number; batches: number[] | null; columns?: string[] };

/** A request as callers give it; the pool adds the id. */
export type PoolCall = PoolRequest extends infer R ? (R extends PoolRequest ? Omit<R, 'id'> : never) : never;

/** heapBytes: the worker's WebAssembly memory after the request. */
export type PoolResponse = ({ id: number; ok: true; value: unknown } | { id: number; ok: false; error: string }) & { heapBytes?: number };

export interface ParquetPoolOptions {
  /** A worker idle this long whose heap is past `idleHeapBytes` is ended (default 10 s: a new worker costs about 0.5 CPU-s to start, so a stream of reads keeps its workers). */
  idleMs?: number;
  /** Default 64 MiB: about what a fresh worker's heap grows to on a small file. */
  idleHeapBytes?: number;
  /** A worker whose heap is past this when it goes idle is ended at once (default 512 MiB). */
  maxHeapBytes?: number;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** parquet-wasm refused the request's input (reported by the worker, which carries on). */
export class ParquetDataError extends Error {}

/** A worker died mid-request (a wasm trap or out of memory); the request's input is to blame. */
export class ParquetWorkerCrash extends Error {}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  online: boolean;
  heapBytes: number;
  idle: NodeJS.Timeout | null;
}

// Compiled (build/), a worker runs parquet-worker.js as it is. Run from the TypeScript sources
// (tests, through tsx), a worker needs tsx's loader first: worker threads do not inherit module
// hooks, and parquet-worker-entry.mjs registers it.
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('./parquet-worker-entry.mjs', import.meta.url)
  : new URL('./parquet-worker.js', import.meta.url);

export class ParquetPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;
  /** Set when a worker cannot even start: respawning would only loop. */
  private broken: Error | null = null;
  private retired = 0;
  private readonly idleMs: number;
  private readonly idleHeapBytes: number;
  private readonly maxHeapBytes: number;

  /** Workers start on first use, so a server that never touches Parquet never pays for them. */
  constructor(readonly size = Math.max(1, Math.min(4, os.availableParallelism())), options: ParquetPoolOptions = {}) {
    this.idleMs = options.idleMs ?? 10_000;
    this.idleHeapBytes = options.idleHeapBytes ?? 64 * 1024 * 1024;
    this.maxHeapBytes = options.maxHeapBytes ?? 512 * 1024 * 1024;
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL);
    const slot: Slot = { worker, pending: new Map(), online: false, heapBytes: 0, idle: null };
    worker.on('online', () => (slot.online = true));
    worker.on('message', (res: PoolResponse) => {
      const p = slot.pending.get(res.id);
      if (!p) return;
      slot.pending.delete(res.id);
      if (res.heapBytes !== undefined) slot.heapBytes = res.heapBytes;
      if (slot.pending.size === 0) {
        worker.unref();
        this.wentIdle(slot);
      }
      if (res.ok) p.resolve(res.value);
      else p.reject(new ParquetDataError(res.error));
    });
    const fail = (reason: string) => {
      const i = this.slots.indexOf(slot);
      if (i < 0) return;
      if (!slot.online) this.broken ??= new Error(`cannot start a Parquet worker thread: ${reason}`);
      const error = slot.online ? new ParquetWorkerCrash(reason) : this.broken!;
      for (const p of slot.pending.values()) p.reject(error);
      slot.pending.clear();
      if (this.closed || this.broken) this.slots.splice(i, 1);
      else this.slots[i] = this.spawn();
    };
    worker.on('error', (e) => fail(`the Parquet worker failed: ${e.message}`));
    worker.on('exit', (code) => fail(`the Parquet worker exited with code ${code}`));
    // An idle worker must not keep the process alive; a busy one must (see call()).
    worker.unref();
    return slot;
  }

  /** Ends an idle worker whose heap has grown: at once past the hard bound, else after idleMs. */
  private wentIdle(slot: Slot): void {
    if (slot.heapBytes <= this.idleHeapBytes) return;
    if (slot.heapBytes > this.maxHeapBytes) return this.retire(slot);
    slot.idle = setTimeout(() => this.retire(slot), this.idleMs);
    slot.idle.unref();
  }

  private retire(slot: Slot): void {
    slot.idle = null;
    const i = this.slots.indexOf(slot);
    if (i < 0 || slot.pending.size > 0) return;
    this.slots.splice(i, 1); // first: its exit is then no failure to answer
    this.retired++;
    void slot.worker.terminate();
  }

  /** Workers started, those working, operations waiting behind another, workers ended for their heap, and heap bytes. */
  stats(): { workers: number; busy: number; queued: number; retired: number; heapBytes: number } {
    const busy = this.slots.filter((s) => s.pending.size > 0);
    return { workers: this.slots.length, busy: busy.length, queued: busy.reduce((n, s) => n + s.pending.size - 1, 0), retired: this.retired, heapBytes: this.slots.reduce((n, s) => n + s.heapBytes, 0) };
  }

  /** Runs one operation on the least busy worker. */
  call<T>(request: PoolCall, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the Parquet worker pool is closed'));
    if (this.broken) return Promise.reject(this.broken);
    let slot = this.slots.find((s) => s.pending.size === 0);
    if (!slot && this.slots.length < this.size) this.slots.push((slot = this.spawn()));
    slot ??= this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    if (slot.idle) {
      clearTimeout(slot.idle);
      slot.idle = null;
    }
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      slot.worker.ref();
      slot.worker.postMessage({ ...request, id }, transfer);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.slots) if (s.idle) clearTimeout(s.idle);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
