// A seeded fuzzer of quiver's IPC input (issue 9, item 2): it mutates valid Arrow IPC streams
// (the shared corpus and streams pyarrow writes for every layout family) into variants -- byte
// flips, edits of field node and buffer lengths and offsets in the flatbuffer, edits of words
// in the body (offsets, type ids, views, run ends), truncation, dropped, repeated and swapped
// messages -- and sends each as a DoPut to a real server. Each must be refused with
// INVALID_ARGUMENT or accepted; every accepted table is then read back by pyarrow and must pass
// validate(full=True); the server must still be serving at the end.
//
//   node --import tsx test/arrow/fuzz/ipc-fuzzer.ts --iterations 20000 --seed 7
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as flatbuffers from 'flatbuffers';
import { Message as FbMessage } from 'apache-arrow/fb/message';
import { MessageHeader as FbMessageHeader } from 'apache-arrow/fb/message-header';
import { RecordBatch as FbRecordBatch } from 'apache-arrow/fb/record-batch';
import { DictionaryBatch as FbDictionaryBatch } from 'apache-arrow/fb/dictionary-batch';
import { decodeStream, type IpcFrame } from '../../../src/arrow/ipc-framing.ts';
import { CORPUS, startQuiver, tempDir } from '../../harness/quiver-process.ts';
import { rawClient, rawPut, unaryCall } from '../../harness/raw-flight-client.ts';
import { pathDescriptor, putMessages } from '../../harness/arrow-frames.ts';
import { seededRandom } from '../../harness/seeded-random.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface FuzzOptions {
  iterations: number;
  seed: number;
  concurrency?: number;
  log?: (line: string) => void;
}

export interface FuzzReport {
  variants: number;
  accepted: number;
  refused: number;
  /** Variants answered with another status than OK or INVALID_ARGUMENT. */
  wrongStatus: { variant: number; mutation: string; code: string; details: string }[];
  /** Accepted tables pyarrow could not read or validate. */
  invalidReadback: { table: string; error: string }[];
  /**
   * Accepted tables whose only fault is a decimal beyond its precision or a date64 that is not
   * a whole day: quiver accepts those on purpose (src/arrow/validate/body-walker.ts says why),
   * pyarrow's full validation does not.
   */
  acceptedOnPurpose: number;
  serverAlive: boolean;
  byMutation: Record<string, { accepted: number; refused: number }>;
  seconds: number;
}


export function seedStreams(): { name: string; frames: IpcFrame[] }[] {
  const generated = tempDir('quiver-fuzz-seeds-');
  const run = spawnSync('python3', [path.join(HERE, 'generate_streams.py'), generated], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`generate_streams.py failed: ${run.stderr}`);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name.endsWith('.stream')) files.push(path.join(dir, e.name));
    }
  };
  walk(path.join(CORPUS, 'arrow-ipc'));
  walk(generated);
  const out = files.sort().map((f) => ({ name: path.relative(path.dirname(CORPUS), f), frames: [...decodeStream(new Uint8Array(fs.readFileSync(f)))] }));
  fs.rmSync(generated, { recursive: true, force: true });
  return out.filter((s) => s.frames.length > 0);
}

type Mutation = (frames: IpcFrame[], rnd: () => number) => void;

const pick = <T>(items: readonly T[], rnd: () => number): T => items[Math.floor(rnd() * items.length)]!;
const copy = (frames: IpcFrame[]) => frames.map((f) => ({ header: new Uint8Array(f.header), body: new Uint8Array(f.body) }));

/** Values that break length and offset arithmetic, relative to the value they replace. */
function edited(old: bigint, rnd: () => number): bigint {
  return pick([0n, 1n, -1n, old + 1n, old - 1n, old + 8n, old - 8n, old * 2n, old / 2n, 0x7fffffffn, -0x80000000n, 0x100000000n, 1n << 40n, 1n << 62n, BigInt(Math.floor(rnd() * 1e6))], rnd);
}

/** Positions of the int64 pairs of a batch's field nodes and buffers in its header. */
function batchStructs(header: Uint8Array): { nodes: number[]; buffers: number[] } {
  try {
    const msg = FbMessage.getRootAsMessage(new flatbuffers.ByteBuffer(header));
    let rb: FbRecordBatch | null = null;
    if (msg.headerType() === FbMessageHeader.RecordBatch) rb = msg.header(new FbRecordBatch()) as FbRecordBatch;
    else if (msg.headerType() === FbMessageHeader.DictionaryBatch) rb = (msg.header(new FbDictionaryBatch()) as FbDictionaryBatch).data();
    if (!rb) return { nodes: [], buffers: [] };
    const nodes: number[] = [];
    const buffers: number[] = [];
    for (let i = 0; i < rb.nodesLength(); i++) nodes.push(rb.nodes(i)!.bb_pos);
    for (let i = 0; i < rb.buffersLength(); i++) buffers.push(rb.buffers(i)!.bb_pos);
    return { nodes, buffers };
  } catch {
    return { nodes: [], buffers: [] };
  }
}

const batchFrame = (frames: IpcFrame[], rnd: () => number) => (frames.length > 1 ? frames[1 + Math.floor(rnd() * (frames.length - 1))]! : frames[0]!);

function editInt64(bytes: Uint8Array, at: number, rnd: () => number): void {
  if (at < 0 || at + 8 > bytes.length) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setBigInt64(at, BigInt.asIntN(64, edited(view.getBigInt64(at, true), rnd)), true);
}

function editInt32(bytes: Uint8Array, at: number, rnd: () => number): void {
  if (at < 0 || at + 4 > bytes.length) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setInt32(at, Number(BigInt.asIntN(32, edited(BigInt(view.getInt32(at, true)), rnd))), true);
}

export const MUTATIONS: Record<string, Mutation> = {
  flipHeaderByte: (frames, rnd) => {
    const f = pick(frames, rnd);
    if (f.header.length) f.header[Math.floor(rnd() * f.header.length)]! ^= 1 + Math.floor(rnd() * 255);
  },
  flipBodyByte: (frames, rnd) => {
    const f = batchFrame(frames, rnd);
    if (f.body.length) f.body[Math.floor(rnd() * f.body.length)]! ^= 1 + Math.floor(rnd() * 255);
  },
  headerWord: (frames, rnd) => {
    const f = pick(frames, rnd);
    editInt32(f.header, 4 * Math.floor((rnd() * f.header.length) / 4), rnd);
  },
  nodeLength: (frames, rnd) => {
    const f = batchFrame(frames, rnd);
    const { nodes } = batchStructs(f.header);
    if (nodes.length) editInt64(f.header, pick(nodes, rnd) + (rnd() < 0.5 ? 0 : 8), rnd);
  },
  bufferRegion: (frames, rnd) => {
    const f = batchFrame(frames, rnd);
    const { buffers } = batchStructs(f.header);
    if (buffers.length) editInt64(f.header, pick(buffers, rnd) + (rnd() < 0.5 ? 0 : 8), rnd);
  },
  bodyWord: (frames, rnd) => {
    const f = batchFrame(frames, rnd);
    editInt32(f.body, 4 * Math.floor((rnd() * f.body.length) / 4), rnd);
  },
  bodyLong: (frames, rnd) => {
    const f = batchFrame(frames, rnd);
    editInt64(f.body, 8 * Math.floor((rnd() * f.body.length) / 8), rnd);
  },
  truncateBody: (frames, rnd) => {
    const f = batchFrame(frames, rnd);
    f.body = f.body.subarray(0, Math.floor(rnd() * f.body.length));
  },
  truncateHeader: (frames, rnd) => {
    const f = pick(frames, rnd);
    f.header = f.header.subarray(0, Math.floor(rnd() * f.header.length));
  },
  dropMessage: (frames, rnd) => {
    if (frames.length > 1) frames.splice(1 + Math.floor(rnd() * (frames.length - 1)), 1);
  },
  repeatMessage: (frames, rnd) => {
    const at = Math.floor(rnd() * frames.length);
    frames.splice(at, 0, { ...frames[at]! });
  },
  swapMessages: (frames, rnd) => {
    if (frames.length < 3) return;
    const i = 1 + Math.floor(rnd() * (frames.length - 1));
    const j = 1 + Math.floor(rnd() * (frames.length - 1));
    [frames[i], frames[j]] = [frames[j]!, frames[i]!];
  },
};

const NAMES = Object.keys(MUTATIONS);

/** Reads accepted tables back with pyarrow; returns those that fail validate(full=True). */
function readBack(port: number, tables: string[]): Promise<{ table: string; error: string }[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [path.join(HERE, 'validate_tables.py'), String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`validate_tables.py exited with ${code}: ${err}`));
      resolve(out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { table: string; error: string }));
    });
    child.stdin.end(tables.map((t) => `${t}\n`).join(''));
  });
}

export interface Variant {
  i: number;
  seed: string;
  frames: IpcFrame[];
  mutation: string;
}

/** The variants of a run: drawn before any is sent, so they depend on the seed alone. */
export function drawVariants(seeds: { name: string; frames: IpcFrame[] }[], seed: number, iterations: number): Variant[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: iterations }, (_, i) => {
    const base = pick(seeds, rnd);
    const frames = copy(base.frames);
    const applied: string[] = [];
    const count = 1 + Math.floor(rnd() * rnd() * 3);
    for (let k = 0; k < count; k++) {
      const name = pick(NAMES, rnd);
      MUTATIONS[name]!(frames, rnd);
      applied.push(name);
    }
    return { i, seed: base.name, frames, mutation: applied.join('+') };
  });
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const seeds = seedStreams();
  log(`fuzzing ${options.iterations} variants of ${seeds.length} streams, seed ${options.seed}`);
  // Accepted variants are commits, each fsynced: on a memory filesystem, where there is one,
  // fsync costs nothing and the run is bounded by validation rather than by the disk.
  const server = await startQuiver(['--log-level', 'warn', '--maintenance-interval', '0'], fs.existsSync('/dev/shm') ? fs.mkdtempSync('/dev/shm/quiver-fuzz-') : tempDir('quiver-fuzz-'));
  const client = rawClient(server.address);
  const report: FuzzReport = { variants: 0, accepted: 0, refused: 0, wrongStatus: [], invalidReadback: [], acceptedOnPurpose: 0, serverAlive: false, byMutation: {}, seconds: 0 };
  const accepted: string[] = [];
  try {
    const variants = drawVariants(seeds, options.seed, options.iterations);
    let next = 0;
    const worker = async () => {
      while (next < variants.length) {
        const v = variants[next++]!;
        const table = `fuzz/${options.seed}/${v.i}`;
        const { error } = await rawPut(client, putMessages(pathDescriptor(table), v.frames));
        report.variants++;
        const key = v.mutation.split('+')[0]!;
        const stats = (report.byMutation[key] ??= { accepted: 0, refused: 0 });
        if (!error) {
          report.accepted++;
          stats.accepted++;
          accepted.push(table);
        } else if (error.code === grpc.status.INVALID_ARGUMENT) {
          report.refused++;
          stats.refused++;
        } else {
          report.wrongStatus.push({ variant: v.i, mutation: `${v.seed}: ${v.mutation}`, code: grpc.status[error.code] ?? String(error.code), details: error.details });
        }
        if (report.variants % 2000 === 0) log(`${report.variants} variants: ${report.accepted} accepted, ${report.refused} refused, ${report.wrongStatus.length} other`);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
    const failures = await readBack(server.port, accepted);
    const onPurpose = (f: { error: string }) => /Decimal value -?\d+ does not fit in precision|date64\[ms\] -?\d+ does not represent a whole number of days/.test(f.error);
    report.invalidReadback = failures.filter((f) => !onPurpose(f));
    report.acceptedOnPurpose = failures.length - report.invalidReadback.length;
    report.serverAlive = server.child.exitCode === null && server.child.signalCode === null
      && (await unaryCall<{ flights?: unknown }>(client, 'GetFlightInfo', pathDescriptor(accepted[0] ?? 'fuzz-missing')).then(() => true, (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND));
  } finally {
    client.close();
    await server.stop();
    fs.rmSync(server.dataDir, { recursive: true, force: true });
  }
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const report = await runFuzz({ iterations: argument('iterations', 10_000), seed: argument('seed', 1), concurrency: argument('concurrency', 8), log: (l) => console.log(l) });
  console.log(JSON.stringify(report, null, 2));
  process.exitCode = report.wrongStatus.length || report.invalidReadback.length || !report.serverAlive ? 1 : 0;
}
