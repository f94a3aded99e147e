#!/usr/bin/env -S node --import tsx
// quiver's TypeScript client (quiver/client) doing what the Arrow integration clients do in JSON
// mode, with the corpus case's Arrow IPC stream instead of its integration JSON (which arrow-js
// cannot read): upload with DoPut, batch i with app_metadata "i", every PutResult must be the
// ack "i" of batch i (Arrow Java's check); then GetFlightInfo, DoGet of every endpoint (at each
// location, or this connection when it has none), the same number of batches, each equal to the
// corpus batch and carrying app_metadata "i" (arrow-go's check).
//
//   node --import tsx test/conformance/runner/ts-stream-client.ts -host H -port P -cases CASES.json
//
// CASES.json: [{"name": "<dir>/<case>", "stream": "<path of the .stream>"}, ...]. One upload per
// case, each into its own table. Prints one JSON line per case: {"case", "outcome": "pass" |
// "fail", "reason"?}; exit 0 when all passed.
import fs from 'node:fs';
import { DataType, MessageHeader, MessageReader, RecordBatchReader, type RecordBatch, type Schema, type Vector } from 'apache-arrow';
import { compareSchemas } from 'apache-arrow/visitor/typecomparator';
import { FlightClient, type FlightEndpoint } from 'quiver/client';

class CheckFailed extends Error {}
function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

/** A value as plain data, so values read from two streams compare with JSON equality. */
function plain(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, plain);
  if (v instanceof Map) return [...v].map(([k, x]) => [plain(k), plain(x)]);
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object' && Symbol.iterator in (v as object) && !(v instanceof String)) return [...(v as Iterable<unknown>)].map(plain);
  if (typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') return plain((v as { toJSON(): unknown }).toJSON());
  if (typeof v === 'object') return Object.entries(v as object).map(([k, x]) => [k, plain(x)]);
  return v;
}

/** Row i of a column; struct children by position, so duplicate field names stay apart. */
function valueAt(vector: Vector, i: number): unknown {
  if (!vector.isValid(i)) return null;
  if (DataType.isStruct(vector.type)) return vector.type.children.map((_, k) => valueAt(vector.getChildAt(k)!, i));
  return plain(vector.get(i));
}

function describeSchema(s: Schema): string {
  return `{${s.fields.map((f) => `${f.name}: ${f.type}${f.nullable ? '' : ' not null'}`).join(', ')}}`;
}

function sameMetadata(a: Map<string, string>, b: Map<string, string>): boolean {
  return JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
}

function checkBatch(where: string, got: RecordBatch, want: RecordBatch): void {
  check(compareSchemas(got.schema, want.schema), `${where}: schema ${describeSchema(got.schema)} differs from the corpus's ${describeSchema(want.schema)}`);
  check(sameMetadata(got.schema.metadata, want.schema.metadata), `${where}: schema metadata differs`);
  got.schema.fields.forEach((f, k) => check(sameMetadata(f.metadata, want.schema.fields[k]!.metadata), `${where}: metadata of field ${f.name} differs`));
  check(got.numRows === want.numRows, `${where}: ${got.numRows} rows, the corpus has ${want.numRows}`);
  for (let c = 0; c < want.numCols; c++) {
    const g = got.getChildAt(c)!;
    const w = want.getChildAt(c)!;
    for (let r = 0; r < want.numRows; r++) {
      const gv = JSON.stringify(valueAt(g, r));
      const wv = JSON.stringify(valueAt(w, r));
      check(gv === wv, `${where}: column ${want.schema.fields[c]!.name} row ${r}: got ${gv.slice(0, 200)}, the corpus has ${wv.slice(0, 200)}`);
    }
  }
}

async function readEndpoint(client: FlightClient, endpoint: FlightEndpoint, uri: string | null, expected: RecordBatch[]): Promise<void> {
  const where = uri ?? 'this connection';
  const peer = uri === null ? client : new FlightClient(uri);
  try {
    let i = 0;
    for await (const item of peer.doGet(endpoint).items()) {
      if (!item.batch) continue; // metadata-only messages carry no batch (arrow-go skips them too)
      check(i < expected.length, `${where}: more batches than the corpus's ${expected.length}`);
      checkBatch(`${where}: batch ${i}`, item.batch, expected[i]!);
      const md = item.appMetadata ? Buffer.from(item.appMetadata).toString('utf8') : '';
      check(md === String(i), `${where}: batch ${i}: expected app_metadata '${i}', got '${md}'`);
      i++;
    }
    check(i === expected.length, `${where}: ${i} batches, the corpus has ${expected.length}`);
  } finally {
    if (peer !== client) peer.close();
  }
}

export async function runCase(location: string, name: string, streamPath: string): Promise<void> {
  let schema: Schema;
  let expected: RecordBatch[];
  try {
    const bytes = fs.readFileSync(streamPath);
    const reader = RecordBatchReader.from(bytes);
    reader.open();
    schema = reader.schema;
    // arrow-js yields one empty placeholder batch for a stream that has none: count the real ones.
    const messages = new MessageReader(bytes);
    let count = 0;
    for (let m = messages.readMessage(); m; m = messages.readMessage()) {
      if (m.headerType === MessageHeader.RecordBatch) count++;
      messages.readMessageBody(m.bodyLength);
    }
    expected = [...reader].slice(0, count);
  } catch (e) {
    throw new CheckFailed(`arrow-js cannot read the corpus stream: ${(e as Error).message}`);
  }
  const client = new FlightClient(location);
  try {
    const table = `conformance/${name}`;
    const acks: string[] = [];
    await client.doPut(table, expected, {
      schema,
      appMetadata: (_b, i) => Buffer.from(String(i)),
      onResult: (md) => acks.push(Buffer.from(md).toString('utf8')),
    });
    check(JSON.stringify(acks) === JSON.stringify(expected.map((_, i) => String(i))),
      `DoPut: expected one ack per batch ${JSON.stringify(expected.map((_, i) => String(i)))}, got ${JSON.stringify(acks)}`);
    const info = await client.getFlightInfo(table);
    check(info.endpoints.length > 0, 'GetFlightInfo returned no endpoints');
    for (const e of info.endpoints) {
      for (const uri of e.locations.length > 0 ? e.locations : [null]) await readEndpoint(client, e, uri, expected);
    }
  } finally {
    client.close();
  }
}

function flag(argv: string[], name: string): string {
  const i = argv.indexOf(name);
  const v = i >= 0 ? argv[i + 1] : undefined;
  if (v === undefined) throw new Error(`usage: ts-stream-client.ts -host HOST -port PORT -cases CASES.json (missing ${name})`);
  return v;
}

if (process.argv[1]?.endsWith('ts-stream-client.ts')) {
  const argv = process.argv.slice(2);
  const location = `grpc+tcp://${flag(argv, '-host')}:${flag(argv, '-port')}`;
  const cases = JSON.parse(fs.readFileSync(flag(argv, '-cases'), 'utf8')) as { name: string; stream: string }[];
  let failed = 0;
  for (const c of cases) {
    try {
      await runCase(location, c.name, c.stream);
      console.log(JSON.stringify({ case: c.name, outcome: 'pass' }));
    } catch (e) {
      failed++;
      const reason = e instanceof CheckFailed ? e.message : `${(e as Error).name}: ${(e as Error).message}`;
      console.log(JSON.stringify({ case: c.name, outcome: 'fail', reason }));
    }
  }
  process.exitCode = failed > 0 ? 1 : 0;
}
