// In-memory key indexes for DoExchange lookups: a pinned version's rows, decoded, with a hash
// index from key to rows. Built once per (table, tableId, version, key columns) and shared by
// every call that asks for the same; kept in a least-recently-used cache of bounded size.
import type { RecordBatch } from 'apache-arrow';
import { BatchDecoder } from '../arrow/batch-codec.ts';
import { IpcFormatError, decodeSchema } from '../arrow/ipc-message.ts';
import { compositeKeyReader, type KeyReader, type KeyValue } from '../arrow/key-values.ts';
import type { RowPicks } from '../arrow/take.ts';
import { QuiverError } from '../errors.ts';
import { schemaBytes, type Manifest } from './manifest.ts';
import type { TableStore } from './table-store.ts';

// What an index costs beyond the Arrow data, measured roughly on V8: three Int32Arrays per row,
// and a Map entry per distinct key (plus the key string itself, counted separately).
const BYTES_PER_ROW = 12;
const BYTES_PER_KEY = 80;

export class KeyIndex {
  private constructor(
    /** The version's record batches, in table order: what lookups take rows from. */
    readonly batches: RecordBatch[],
    private readonly first: Map<KeyValue, number>,
    private readonly next: Int32Array,
    private readonly batchOf: Int32Array,
    private readonly rowOf: Int32Array,
    /** Estimated memory held: the Arrow data and the index. */
    readonly bytes: number,
  ) {}

  static build(batches: RecordBatch[], keyColumns: number[], arrowBytes: number): KeyIndex {
    const rows = batches.reduce((n, b) => n + b.numRows, 0);
    const first = new Map<KeyValue, number>();
    const next = new Int32Array(rows);
    const batchOf = new Int32Array(rows);
    const rowOf = new Int32Array(rows);
    let keyBytes = 0;
    // Backwards, so that each key's chain of rows runs in table order.
    let g = rows;
    for (let b = batches.length - 1; b >= 0; b--) {
      const batch = batches[b]!;
      const read = compositeKeyReader(keyColumns.map((c) => batch.data.children[c]!));
      for (let r = batch.numRows - 1; r >= 0; r--) {
        g--;
        batchOf[g] = b;
        rowOf[g] = r;
        const key = read(r);
        if (key === undefined) { next[g] = -1; continue; }
        const head = first.get(key);
        if (head === undefined && typeof key === 'string') keyBytes += key.length + 16;
        next[g] = head ?? -1;
        first.set(key, g);
      }
    }
    const bytes = arrowBytes + rows * BYTES_PER_ROW + first.size * BYTES_PER_KEY + keyBytes;
    return new KeyIndex(batches, first, next, batchOf, rowOf, bytes);
  }

  /**
   * For each input row in order, every table row with an equal key, in table order; more than
   * `maxRows` in all is RESOURCE_EXHAUSTED, found while counting, before the answer is built.
   */
  lookup(read: KeyReader, rows: number, maxRows = Infinity, describe = 'the table'): RowPicks {
    let chunk = new Int32Array(Math.max(16, rows));
    let row = new Int32Array(chunk.length);
    let n = 0;
    for (let i = 0; i < rows; i++) {
      const key = read(i);
      if (key === undefined) continue;
      for (let g = this.first.get(key) ?? -1; g >= 0; g = this.next[g]!) {
        if (n >= maxRows) throw answerTooLarge(maxRows, rows, i, describe);
        if (n === chunk.length) {
          const grown = { chunk: new Int32Array(n * 2), row: new Int32Array(n * 2) };
          grown.chunk.set(chunk);
          grown.row.set(row);
          ({ chunk, row } = grown);
        }
        chunk[n] = this.batchOf[g]!;
        row[n++] = this.rowOf[g]!;
      }
    }
    return { chunk: chunk.subarray(0, n), row: row.subarray(0, n) };
  }
}

/** What a lookup index is of, and how to build it. */
export interface IndexSpec {
  /** Identity: table, tableId, version and key columns. */
  id: string;
  /** For messages: "table \"t\" version 3, key id". */
  describe: string;
  manifest: Manifest;
  keyColumns: number[];
}

interface Build {
  promise: Promise<KeyIndex>;
  controller: AbortController;
  waiters: number;
}

export class KeyIndexCache {
  /** Built indexes, least recently used first. */
  private readonly ready = new Map<string, KeyIndex>();
  private readonly building = new Map<string, Build>();
  /** Builds not finished yet, including those nobody waits for any more. */
  private readonly unsettled = new Set<Promise<unknown>>();
  private usedBytes = 0;
  private reservedBytes = 0;

  /** `remedy` completes "raise … " in messages: how an operator gives lookups more memory. */
  constructor(private readonly store: () => TableStore, readonly maxBytes: number, private readonly remedy: string) {}

  /** Estimated bytes an index of this version would hold, before reading anything. */
  static estimate(manifest: Manifest): number {
    return manifest.arrowBytes + manifest.rows * (BYTES_PER_ROW + BYTES_PER_KEY);
  }

  /** The index, built if needed; a caller whose signal aborts stops waiting (and the build, if it was the last). */
  acquire(spec: IndexSpec, signal: AbortSignal): Promise<KeyIndex> {
    const hit = this.ready.get(spec.id);
    if (hit) {
      this.ready.delete(spec.id);
      this.ready.set(spec.id, hit);
      return Promise.resolve(hit);
    }
    let build = this.building.get(spec.id);
    if (!build) {
      const estimate = KeyIndexCache.estimate(spec.manifest);
      if (estimate > this.maxBytes) return Promise.reject(this.tooLarge(spec, estimate));
      // Builds under way reserve their estimates: one that does not fit beside them waits for
      // one to finish, so that concurrent builds never hold more than the budget together.
      if (!this.hasRoom(estimate)) return this.buildFinished(signal).then(() => this.acquire(spec, signal));
      build = this.start(spec, estimate);
    }
    const b = build;
    b.waiters++;
    return new Promise<KeyIndex>((resolve, reject) => {
      const onAbort = () => {
        if (--b.waiters === 0) {
          // Nobody waits any more: stop reading, and let the next caller start afresh.
          if (this.building.get(spec.id) === b) this.building.delete(spec.id);
          b.controller.abort(signal.reason);
        }
        reject(signal.reason);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      b.promise.then((index) => {
        signal.removeEventListener('abort', onAbort);
        b.waiters--;
        resolve(index);
      }, (e) => {
        signal.removeEventListener('abort', onAbort);
        b.waiters--;
        reject(e);
      });
    });
  }

  get bytes(): number {
    return this.usedBytes;
  }

  /** Memory the cache accounts for now: built indexes and the estimates of builds under way. */
  get heldBytes(): number {
    return this.usedBytes + this.reservedBytes;
  }

  private hasRoom(bytes: number): boolean {
    this.makeRoom(bytes);
    return this.usedBytes + this.reservedBytes + bytes <= this.maxBytes || this.unsettled.size === 0;
  }

  /** Resolves when some build under way finishes or stops; rejects if `signal` aborts first. */
  private buildFinished(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      void Promise.race([...this.unsettled]).then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  /** Resolves when every build started so far has finished or stopped. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.unsettled]);
  }

  private start(spec: IndexSpec, estimate: number): Build {
    const controller = new AbortController();
    this.reservedBytes += estimate;
    const build = { controller, waiters: 0 } as Build;
    build.promise = (async () => {
      try {
        const batches = await readBatches(this.store(), spec, controller.signal);
        // The manifest counts stored bytes; batches stored compressed take more once decoded.
        const decoded = batches.reduce((n, b) => n + b.data.byteLength, 0);
        const index = KeyIndex.build(batches, spec.keyColumns, Math.max(spec.manifest.arrowBytes, decoded));
        if (index.bytes > this.maxBytes) throw this.tooLarge(spec, index.bytes);
        return index;
      } finally {
        if (this.building.get(spec.id) === build) this.building.delete(spec.id);
        this.reservedBytes -= estimate;
      }
    })().then((index) => {
      // Abandoned after its last read: a later build for the same id may be running.
      if (controller.signal.aborted) return index;
      const replaced = this.ready.get(spec.id);
      if (replaced) {
        this.ready.delete(spec.id);
        this.usedBytes -= replaced.bytes;
      }
      this.makeRoom(index.bytes);
      this.ready.set(spec.id, index);
      this.usedBytes += index.bytes;
      return index;
    });
    const settled = build.promise.then(() => undefined, () => undefined); // each waiter sees a failure
    this.unsettled.add(settled);
    void settled.then(() => this.unsettled.delete(settled));
    this.building.set(spec.id, build);
    return build;
  }

  private makeRoom(bytes: number): void {
    for (const [id, index] of this.ready) {
      if (this.usedBytes + this.reservedBytes + bytes <= this.maxBytes) return;
      this.ready.delete(id);
      this.usedBytes -= index.bytes;
    }
  }

  private tooLarge(spec: IndexSpec, bytes: number): QuiverError {
    const m = spec.manifest;
    return new QuiverError('RESOURCE_EXHAUSTED', `a lookup index on ${spec.describe} needs about ${mib(bytes)} (${m.rows} rows, ${mib(m.arrowBytes)} of Arrow data), more than the ${mib(this.maxBytes)} this server keeps for lookup indexes; raise ${this.remedy}, or look up in a smaller table`);
  }
}

function answerTooLarge(maxRows: number, rows: number, inputRow: number, describe: string): QuiverError {
  return new QuiverError('RESOURCE_EXHAUSTED', `a lookup batch of ${rows} keys matches more than ${maxRows} rows of ${describe} (the limit was passed at input row ${inputRow}); send fewer keys per batch or keys that match fewer rows, or raise --max-lookup-answer-rows (env QUIVER_MAX_LOOKUP_ANSWER_ROWS)`, { retriable: false });
}

const mib = (bytes: number) => (bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);

/** Every record batch of the pinned version, decoded. */
async function readBatches(store: TableStore, spec: IndexSpec, signal: AbortSignal): Promise<RecordBatch[]> {
  const m = spec.manifest;
  const decoder = new BatchDecoder(decodeSchema(schemaBytes(m)));
  const batches: RecordBatch[] = [];
  const frames = store.readFiles(m, m.files);
  try {
    for await (const frame of frames) {
      if (signal.aborted) throw signal.reason;
      const batch = decoder.decode(frame);
      if (batch) batches.push(batch);
    }
  } catch (e) {
    // Stored batches were checked when they were put: one that does not decode now is damage.
    if (e instanceof IpcFormatError) throw new QuiverError('DATA_LOSS', `${spec.describe}: a stored batch does not decode (${e.message}); read another version or restore the table's files`, { cause: e });
    throw e;
  } finally {
    await frames.return(undefined);
  }
  return batches;
}
