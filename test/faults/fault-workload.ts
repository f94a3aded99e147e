// Writers and readers running against the fault cluster while the nemesis breaks it, and what
// they saw. Every write is one DoPut of whole writes as cluster-workload.ts makes them (every row
// carries the write's unique id), so a read shows each write entirely or not at all.
//
// A write's outcome, as the client knows it:
//   acknowledged  the call ended OK: it must be in the table, exactly once, from then on;
//   refused       an error that says so ("nothing was committed", "was not committed"): it must
//                 never appear in the table;
//   unknown       any other error (the connection went, a deadline passed): either is allowed.
// After each acknowledgement the writer reads the table back through another live replica: if
// that read succeeds, it must show the write (read-your-writes across replicas).
import { FlightError } from '../../src/client/index.ts';
import { WRITE_ROWS, rowsPerId, writeTable } from '../harness/cluster-workload.ts';
import type { FaultCluster, FaultReplica } from './fault-cluster.ts';

const WRITE_DEADLINE_MS = 8000;
const READ_DEADLINE_MS = 5000;
/** A pause between one writer's writes: enough load to meet every fault, not a benchmark. */
const WRITER_THINK_MS = 100;

/**
 * Messages of errors after which nothing can have been committed: the server says so, or it
 * refused the stream before staging it (no leader; the replica asked to commit is not the writer).
 */
export const REFUSAL = /nothing was committed|was not committed|no leader is elected|is not the cluster's writer/;

export interface TableLog {
  acked: Set<string>;
  refused: Set<string>;
  attempted: Set<string>;
}

export interface WriteError {
  id: string;
  table: string;
  code: string;
  message: string;
  /** The fault in force when the write failed (null: between faults). */
  fault: string | null;
}

export class FaultWorkload {
  readonly tables = new Map<string, TableLog>();
  readonly violations: string[] = [];
  readonly errors: WriteError[] = [];
  counts = { acked: 0, refused: 0, unknown: 0, reads: 0, failedReads: 0, readBacks: 0 };
  /** The table writes go to; the campaign moves on to a fresh one now and then. */
  table = 't0';
  /** What the nemesis is doing now, to label errors. */
  fault: string | null = null;
  private running = false;
  private loops: Promise<void>[] = [];
  private seq = 0;

  constructor(private readonly cluster: FaultCluster, private readonly tag: string) {}

  log(table: string): TableLog {
    let t = this.tables.get(table);
    if (!t) this.tables.set(table, (t = { acked: new Set(), refused: new Set(), attempted: new Set() }));
    return t;
  }

  start(writers: number, readers: number): void {
    this.running = true;
    for (let w = 0; w < writers; w++) this.loops.push(this.writer(w));
    for (let r = 0; r < readers; r++) this.loops.push(this.reader(r));
  }

  /** Stops the loops and waits for every call in flight to end. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  /** One write through `replica`, its outcome recorded; true when acknowledged. */
  async write(replica: FaultReplica, table = this.table): Promise<boolean> {
    const id = `${this.tag}-${this.seq++}`;
    const log = this.log(table);
    log.attempted.add(id);
    try {
      await replica.client.doPut(table, writeTable(id), { deadline: WRITE_DEADLINE_MS });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const code = e instanceof FlightError ? message.split(':')[0]! : 'CLIENT';
      this.errors.push({ id, table, code, message, fault: this.fault });
      if (REFUSAL.test(message)) {
        log.refused.add(id);
        this.counts.refused++;
      } else {
        this.counts.unknown++;
      }
      return false;
    }
    log.acked.add(id);
    this.counts.acked++;
    await this.readBack(replica, table, id);
    return true;
  }

  private async readBack(writtenThrough: FaultReplica, table: string, id: string): Promise<void> {
    const others = this.cluster.live.filter((r) => r !== writtenThrough);
    const reader = others[Math.floor(Math.random() * others.length)] ?? writtenThrough;
    const seen = await this.read(reader, table);
    if (seen === null) return;
    this.counts.readBacks++;
    if (!seen.has(id)) this.violations.push(`read-your-writes: ${reader.name} read ${table} after write ${id} was acknowledged through ${writtenThrough.name}, and it was not there (fault: ${this.fault ?? 'none'})`);
  }

  /** A read checked for partial and foreign writes; null when the read failed. */
  private async read(replica: FaultReplica, table: string): Promise<Map<string, number> | null> {
    let rows: Map<string, number>;
    try {
      rows = rowsPerId(await replica.client.readTable(table, { deadline: READ_DEADLINE_MS }));
    } catch {
      this.counts.failedReads++;
      return null;
    }
    this.counts.reads++;
    const log = this.log(table);
    for (const [id, n] of rows) {
      if (n !== WRITE_ROWS) this.violations.push(`partial read: ${replica.name} showed ${n} rows of write ${id} in ${table}, not ${WRITE_ROWS} (fault: ${this.fault ?? 'none'})`);
      if (!log.attempted.has(id)) this.violations.push(`foreign read: ${replica.name} showed write ${id} in ${table}, which no writer sent`);
      if (log.refused.has(id)) this.violations.push(`refused write visible: ${replica.name} showed write ${id} in ${table}, whose DoPut was refused (fault: ${this.fault ?? 'none'})`);
    }
    return rows;
  }

  private pick(k: number): FaultReplica | null {
    const live = this.cluster.live;
    return live.length === 0 ? null : live[(k + Math.floor(Math.random() * live.length)) % live.length]!;
  }

  private async writer(k: number): Promise<void> {
    while (this.running) {
      const replica = this.pick(k);
      if (replica) await this.write(replica);
      await sleep(WRITER_THINK_MS);
    }
  }

  private async reader(k: number): Promise<void> {
    while (this.running) {
      const replica = this.pick(k + 1);
      if (!replica || (await this.read(replica, this.table)) === null) await sleep(100);
    }
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
