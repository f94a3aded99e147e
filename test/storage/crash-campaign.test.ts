// The crash campaign: a real quiver server process, writing tables through DoPut, is SIGKILLed at
// a random moment of its commits (seeded), then started again on the same data directory. After
// every restart:
//   - every acknowledged version reads back, holding the rows its acknowledgement counted, the
//     acknowledged stream's rows among them;
//   - every stream ever sent is in the current version entirely or not at all (a commit is never
//     half applied, whether or not the kill took its acknowledgement with it);
//   - no RPC answers INTERNAL and the server logs no internal error, before or after the kill.
// Real processes and real files (test/harness/quiver-process.ts); the kill lands wherever it
// lands: staging a batch, fsyncing, between the manifest and the log entry, after the entry.
//
// QUIVER_CRASH_ITERATIONS (default 6, what CI runs) and QUIVER_CRASH_SEED (default 1) choose the
// run; each iteration is one server start, one kill and one check, and prints its seed to rerun
// (QUIVER_CRASH_PROGRESS=1 also writes each iteration's line to stderr as it ends, for long runs).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, test } from 'node:test';
import { Table, Utf8, makeVector, vectorFromArray } from 'apache-arrow';
import { FlightClient, FlightError, GrpcStatus, type FlightInfo } from '../../src/client/index.ts';
import { startQuiver, tempDir, type QuiverProcess } from '../harness/quiver-process.ts';
import { seededRandom } from '../harness/seeded-random.ts';

const ITERATIONS = Number(process.env.QUIVER_CRASH_ITERATIONS ?? 6);
const SEED = Number(process.env.QUIVER_CRASH_SEED ?? 1);
const TABLES = ['crash-a', 'crash-b', 'crash/c d'];
/** Kills land within this long after the first commit a server acknowledges (its warm-up done). */
const MAX_KILL_DELAY_MS = 800;


/** A stream sent: its rows carry ids stream * 10_000 + i, so a read-back tells whose rows it holds. */
interface Sent {
  stream: number;
  table: string;
  rows: number;
  mode: 'append' | 'overwrite';
}

interface Acked extends Sent {
  version: number;
  /** Rows of the version, as the acknowledgement reported them. */
  versionRows: number;
}

function streamTable(stream: number, rows: number, batches: number): Table {
  const ids = Int32Array.from({ length: rows }, (_, i) => stream * 10_000 + i);
  const whole = new Table({ id: makeVector(ids), tag: vectorFromArray(Array.from(ids, (i) => `s${stream}-${i % 7}`), new Utf8()) }).batches[0]!;
  const per = Math.ceil(rows / batches);
  const parts = [];
  for (let at = 0; at < rows; at += per) parts.push(whole.slice(at, Math.min(rows, at + per)));
  return new Table(parts);
}

const descriptor = (table: string, mode: Sent['mode']) => ({ type: 'CMD' as const, cmd: Buffer.from(JSON.stringify({ table, mode })) });
const versionDescriptor = (table: string, version: number) => ({ type: 'CMD' as const, cmd: Buffer.from(JSON.stringify({ table, version })) });

/** Ids of a table read back, grouped by the stream that sent them. */
function streamsIn(t: Table): Map<number, number> {
  const out = new Map<number, number>();
  const ids = t.getChild('id');
  for (let i = 0; i < t.numRows; i++) {
    const stream = Math.floor((ids!.get(i) as number) / 10_000);
    out.set(stream, (out.get(stream) ?? 0) + 1);
  }
  return out;
}

const internal = (e: unknown) => e instanceof FlightError && e.code === GrpcStatus.INTERNAL;

const dataDir = tempDir('quiver-crash-');
let server: QuiverProcess | null = null;
after(async () => {
  await server?.stop('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test(`a writer SIGKILLed at random points of its commits, ${ITERATIONS} times (seed ${SEED}): every acknowledged version reads back, no RPC answers INTERNAL`, { timeout: 60_000 + ITERATIONS * 60_000 }, async (t) => {
  const next = seededRandom(SEED);
  const acked: Acked[] = [];
  const sent: Sent[] = [];
  let stream = 1;

  /**
   * What a restarted server must answer: everything acknowledged, nothing half applied, no
   * INTERNAL. Between kills, the versions acknowledged since the last check and a sample of the
   * older ones are read (reading all of them every time grows with the square of the run); the
   * final check reads every one.
   */
  let checkedUpTo = 0;
  async function check(client: FlightClient, iteration: number, all = false): Promise<void> {
    const listed: FlightInfo[] = [];
    for await (const info of client.listFlights()) listed.push(info);
    const older = acked.slice(0, checkedUpTo);
    const sample = all ? older : Array.from({ length: Math.min(3, older.length) }, () => older[Math.floor(next() * older.length)]!);
    const toRead = [...sample, ...acked.slice(checkedUpTo)];
    checkedUpTo = acked.length;
    for (const a of toRead) {
      const table = await client.readTable(versionDescriptor(a.table, a.version));
      assert.equal(table.numRows, a.versionRows, `iteration ${iteration}: version ${a.version} of ${a.table} holds ${table.numRows} rows, acknowledged with ${a.versionRows}`);
      assert.equal(streamsIn(table).get(a.stream), a.rows, `iteration ${iteration}: version ${a.version} of ${a.table} lacks stream ${a.stream}'s rows`);
    }
    for (const name of TABLES) {
      if (!sent.some((s) => s.table === name)) continue;
      let current: Table;
      try {
        current = await client.readTable(name);
      } catch (e) {
        // Never acknowledged and never committed: the table may not exist.
        if (e instanceof FlightError && e.code === GrpcStatus.NOT_FOUND && !acked.some((a) => a.table === name)) continue;
        throw e;
      }
      for (const [s, rows] of streamsIn(current)) {
        const put = sent.find((x) => x.stream === s);
        assert.ok(put, `iteration ${iteration}: ${name} holds rows of stream ${s}, which was never sent`);
        assert.equal(rows, put.rows, `iteration ${iteration}: ${name} holds ${rows} of stream ${s}'s ${put.rows} rows: a commit half applied`);
      }
    }
    assert.ok(acked.every((a) => listed.some((i) => i.descriptor?.type === 'PATH' && i.descriptor.path.join('/') === a.table)), `iteration ${iteration}: ListFlights lacks an acknowledged table`);
  }

  /** One writer: DoPuts to random tables until the server dies. */
  async function writer(client: FlightClient, stopped: { done: boolean; onAck: () => void }): Promise<void> {
    while (!stopped.done) {
      const s: Sent = { stream: stream++, table: TABLES[Math.floor(next() * TABLES.length)]!, rows: 1 + Math.floor(next() * 1000), mode: next() < 0.1 ? 'overwrite' : 'append' };
      sent.push(s);
      try {
        const outcome = await client.doPut(descriptor(s.table, s.mode), streamTable(s.stream, s.rows, 1 + Math.floor(next() * 3)));
        const commit = JSON.parse(String(outcome.trailers.get('quiver-commit')[0])) as { version: number; rows: number };
        acked.push({ ...s, version: commit.version, versionRows: commit.rows });
        stopped.onAck();
      } catch (e) {
        assert.ok(!internal(e), `a DoPut answered INTERNAL: ${String(e)}`);
        if (!(e instanceof FlightError)) throw e;
        return; // the server is gone (UNAVAILABLE, CANCELLED): the kill
      }
    }
  }

  for (let iteration = 1; iteration <= ITERATIONS; iteration++) {
    server = await startQuiver([], dataDir);
    const client = new FlightClient(`grpc+tcp://${server.address}`);
    try {
      await check(client, iteration);
      let warm!: () => void;
      const warmed = new Promise<void>((resolve) => (warm = resolve));
      const stopped = { done: false, onAck: () => warm() };
      const writers = [writer(client, stopped), writer(client, stopped)];
      const delay = Math.floor(next() * MAX_KILL_DELAY_MS);
      await Promise.race([warmed, new Promise((r) => setTimeout(r, 20_000))]);
      await new Promise((r) => setTimeout(r, delay));
      await server.stop('SIGKILL');
      stopped.done = true;
      await Promise.all(writers);
      assert.doesNotMatch(server.stderr(), /internal error/i, `iteration ${iteration}: the server logged an internal error`);
      const line = `iteration ${iteration} (seed ${SEED}): killed after ${delay} ms; ${acked.length} acknowledged commits, ${sent.length} streams sent so far`;
      t.diagnostic(line);
      // Also at once: the runner prints diagnostics only when the test ends, hours into a long run.
      if (process.env.QUIVER_CRASH_PROGRESS) process.stderr.write(`# ${line}\n`);
    } finally {
      client.close();
    }
  }
  // The last kill's restart.
  server = await startQuiver([], dataDir);
  const client = new FlightClient(`grpc+tcp://${server.address}`);
  try {
    await check(client, ITERATIONS + 1, true);
  } catch (e) {
    assert.ok(!internal(e), `an RPC answered INTERNAL: ${String(e)}`);
    throw e;
  } finally {
    client.close();
  }
  assert.ok(acked.length > 0, 'some commits were acknowledged');
  await server.stop();
  assert.doesNotMatch(server.stderr(), /internal error/i);
  server = null;
});
