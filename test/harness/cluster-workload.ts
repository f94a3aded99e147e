// Writers and readers running against a replica cluster while a test breaks it.
//
// Every write is one DoPut of WRITE_BATCHES batches whose rows all carry the write's unique id,
// so a reader can tell a whole write (WRITE_ROWS rows of that id) from a partial one. Writers
// spread their writes over the live replicas and record each outcome: acknowledged (the call
// ended OK), refused (an error status: it may still have committed only if the error says the
// outcome is unknown or the deadline passed), so the invariant check knows what must be there.
import { RecordBatch, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { FlightError } from '../../src/client/index.ts';
import type { ReplicaCluster, Replica } from './cluster-replicas.ts';

export const WRITE_BATCHES = 3;
export const ROWS_PER_BATCH = 2;
export const WRITE_ROWS = WRITE_BATCHES * ROWS_PER_BATCH;
const WRITE_DEADLINE_MS = 8000;
const READ_DEADLINE_MS = 5000;

export function writeBatches(id: string): RecordBatch[] {
  const batches: RecordBatch[] = [];
  for (let b = 0; b < WRITE_BATCHES; b++) {
    batches.push(...new Table({ w: vectorFromArray(Array.from({ length: ROWS_PER_BATCH }, () => id), new Utf8()) }).batches);
  }
  return batches;
}

export function writeTable(id: string): Table {
  return new Table(writeBatches(id));
}

/** Rows per write id in a table read back. */
export function rowsPerId(table: Table): Map<string, number> {
  const counts = new Map<string, number>();
  const column = table.getChild('w');
  for (let i = 0; i < table.numRows; i++) {
    const id = String(column?.get(i));
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

export interface WriteLog {
  /** Ids whose DoPut ended OK. */
  acked: Set<string>;
  /** Every id a writer sent (acknowledged or not). */
  attempted: Set<string>;
  /** Failed writes by gRPC status name, for the test's diagnostics. */
  failures: Map<string, number>;
  /** The error of each failed write. */
  errors: Map<string, string>;
}

export interface ReadLog {
  reads: number;
  failedReads: number;
  /** What a reader saw that it must never see: a partial write, or an id never sent. */
  violations: string[];
}

export class Workload {
  readonly writes: WriteLog = { acked: new Set(), attempted: new Set(), failures: new Map(), errors: new Map() };
  readonly readsLog: ReadLog = { reads: 0, failedReads: 0, violations: [] };
  private running = true;
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly cluster: ReplicaCluster,
    readonly table: string,
    private readonly tag: string,
  ) {}

  /** `writers` writer loops and `readers` reader loops, each on its own replica when it can. */
  start(writers: number, readers: number): this {
    for (let w = 0; w < writers; w++) this.loops.push(this.writer(w));
    for (let r = 0; r < readers; r++) this.loops.push(this.reader(r));
    return this;
  }

  /** Waits until at least `n` more writes are acknowledged. */
  async acknowledged(n: number, timeoutMs = 30_000): Promise<void> {
    const target = this.writes.acked.size + n;
    const deadline = Date.now() + timeoutMs;
    while (this.writes.acked.size < target) {
      if (Date.now() > deadline) throw new Error(`only ${this.writes.acked.size} of ${target} writes acknowledged within ${timeoutMs} ms (failures: ${JSON.stringify([...this.writes.failures])})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<{ writes: WriteLog; reads: ReadLog }> {
    this.running = false;
    await Promise.all(this.loops);
    return { writes: this.writes, reads: this.readsLog };
  }

  /** One write of a fresh id through `replica`; true when acknowledged. */
  async writeOnce(replica: Replica, id: string): Promise<boolean> {
    this.writes.attempted.add(id);
    try {
      await replica.client.doPut(this.table, writeTable(id), { deadline: WRITE_DEADLINE_MS });
      this.writes.acked.add(id);
      return true;
    } catch (e) {
      const code = e instanceof FlightError ? e.message.split(':')[0]! : String(e);
      this.writes.failures.set(code, (this.writes.failures.get(code) ?? 0) + 1);
      this.writes.errors.set(id, e instanceof Error ? e.message : String(e));
      return false;
    }
  }

  private pick(k: number, turn: number): Replica | null {
    const live = this.cluster.live;
    return live.length === 0 ? null : live[(k + turn) % live.length]!;
  }

  private async writer(k: number): Promise<void> {
    for (let seq = 0; this.running; seq++) {
      const replica = this.pick(k, seq);
      if (!replica) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const ok = await this.writeOnce(replica, `${this.tag}-w${k}-${seq}`);
      if (!ok) await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async reader(k: number): Promise<void> {
    for (let turn = 0; this.running; turn++) {
      const replica = this.pick(k + 1, turn);
      if (!replica) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      try {
        const table = await replica.client.readTable(this.table, { deadline: READ_DEADLINE_MS });
        this.readsLog.reads++;
        for (const [id, rows] of rowsPerId(table)) {
          if (rows !== WRITE_ROWS) this.readsLog.violations.push(`${replica.name} showed ${rows} rows of write ${id}, not ${WRITE_ROWS}`);
          if (!this.writes.attempted.has(id)) this.readsLog.violations.push(`${replica.name} showed write ${id}, which no writer sent`);
        }
      } catch {
        this.readsLog.failedReads++;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}
