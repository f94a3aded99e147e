#!/usr/bin/env -S node --import tsx
// quiver's TypeScript client (quiver/client) as an Arrow Flight integration client in scenario
// mode: each scenario makes the calls and the checks that arrow-go's and Arrow Java's clients
// make (test/conformance/SCENARIOS.md), through the public quiver/client API only.
//
//   node --import tsx test/conformance/runner/ts-scenario-client.ts -host 127.0.0.1 -port N -scenario NAME
//
// Exit status 0 when every check held; otherwise the first failed check is printed and it is 1.
import { Field, Int32, RecordBatch, Schema, Struct, makeData, type Table } from 'apache-arrow';
import {
  FlightClient, FlightError, GrpcStatus, REUSE_CONNECTION,
  type CallDescription, type ClientMiddleware, type FlightEndpoint, type FlightInfo,
} from 'quiver/client';

class CheckFailed extends Error {}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

const cmd = (text: string) => ({ type: 'CMD' as const, cmd: Buffer.from(text) });
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : '<none>');

/** The values of a one-column table, as numbers. */
function column(table: Table | RecordBatch): number[] {
  const v = table.getChildAt(0);
  return v ? Array.from(v.toArray() as ArrayLike<number>, Number) : [];
}

function describeSchema(schema: Schema | null | undefined): string {
  return schema ? `{${schema.fields.map((f) => `${f.name}: ${f.type}${f.nullable ? '' : ' not null'}`).join(', ')}}` : '<none>';
}

function sameSchema(schema: Schema | null | undefined, name: string, type: string): boolean {
  const f = schema?.fields;
  return f?.length === 1 && f[0]!.name === name && String(f[0]!.type) === type && !f[0]!.nullable;
}

/** Reads one endpoint on this connection: the batches (at least the schema must arrive). */
async function readEndpoint(client: FlightClient, endpoint: FlightEndpoint): Promise<{ schema: Schema | null; batches: RecordBatch[] }> {
  const stream = client.doGet(endpoint);
  const batches: RecordBatch[] = [];
  for await (const b of stream) batches.push(b);
  return { schema: stream.schema, batches };
}

async function expectFailure(what: string, call: () => Promise<unknown>, code?: GrpcStatus): Promise<FlightError> {
  try {
    await call();
  } catch (e) {
    check(e instanceof FlightError, `${what}: expected a FlightError, got ${String(e)}`);
    if (code !== undefined) check(e.code === code, `${what}: expected ${GrpcStatus[code]}, got ${e.message}`);
    return e;
  }
  throw new CheckFailed(`${what}: expected the call to fail, but it succeeded`);
}

type Scenario = (location: string) => Promise<void>;

// auth:basic_proto: a call without credentials is UNAUTHENTICATED; Handshake with the user
// arrow/flight issues a token; the action then answers the authenticated user name.
const authBasicProto: Scenario = async (location) => {
  const anonymous = new FlightClient(location);
  try {
    await expectFailure('DoAction without credentials', async () => {
      for await (const _ of anonymous.doAction('')) { /* drain */ }
    }, GrpcStatus.UNAUTHENTICATED);
  } finally {
    anonymous.close();
  }
  const client = await FlightClient.connect(location, { credentials: { username: 'arrow', password: 'flight' } });
  try {
    const results: string[] = [];
    for await (const r of client.doAction('')) results.push(text(r));
    check(results.length === 1, `expected exactly one Result, got ${results.length}`);
    check(results[0] === 'arrow', `expected the Result body "arrow" (the user), got ${JSON.stringify(results[0])}`);
  } finally {
    client.close();
  }
};

// middleware: every request carries x-middleware; the server echoes it on failure and success.
const middleware: Scenario = async (location) => {
  const seen = new Map<CallDescription, string | null>();
  const echo: ClientMiddleware = {
    sendingHeaders: (_call, headers) => headers.set('x-middleware', 'expected value'),
    receivedHeaders: (call, headers) => {
      const v = headers.get('x-middleware')[0];
      seen.set(call, v === undefined ? null : String(v));
    },
  };
  const client = new FlightClient(location, { middleware: [echo] });
  try {
    await expectFailure('GetFlightInfo(CMD "")', () => client.getFlightInfo(cmd('')));
    const failed = [...seen.values()].at(-1);
    check(failed === 'expected value', `failed call: expected response header x-middleware "expected value", got ${JSON.stringify(failed)}`);
    seen.clear();
    await client.getFlightInfo(cmd('success'));
    const ok = [...seen.values()].at(-1);
    check(ok === 'expected value', `successful call: expected response header x-middleware "expected value", got ${JSON.stringify(ok)}`);
  } finally {
    client.close();
  }
};

// ordered: three endpoints without locations, read in order on this connection.
const ordered: Scenario = async (location) => {
  const client = new FlightClient(location);
  try {
    const info = await client.getFlightInfo(cmd('ordered'));
    check(info.ordered, 'FlightInfo.ordered must be true');
    check(info.endpoints.length === 3, `expected 3 endpoints, got ${info.endpoints.length}`);
    const expected = [[1, 2, 3], [10, 20, 30], [100, 200, 300]];
    for (const [i, e] of info.endpoints.entries()) {
      check(e.locations.length === 0, `endpoint ${i}: locations must be empty, got ${JSON.stringify(e.locations)}`);
      const { schema, batches } = await readEndpoint(client, e);
      check(sameSchema(schema, 'number', 'Int32'), `endpoint ${i}: expected schema {number: Int32 not null}, got ${describeSchema(schema)}`);
      check(batches.length === 1, `endpoint ${i}: expected one batch, got ${batches.length}`);
      check(JSON.stringify(column(batches[0]!)) === JSON.stringify(expected[i]), `endpoint ${i}: expected ${JSON.stringify(expected[i])}, got ${JSON.stringify(column(batches[0]!))}`);
    }
  } finally {
    client.close();
  }
};

/** The FlightInfo of the expiration_time scenarios, with the checks every one of them makes. */
async function expiringInfo(client: FlightClient, command: string): Promise<FlightInfo> {
  const info = await client.getFlightInfo(cmd(command));
  check(info.endpoints.length === 3, `expected 3 endpoints, got ${info.endpoints.length}`);
  for (const [i, e] of info.endpoints.entries()) {
    check(e.locations.length === 0, `endpoint ${i}: expected no locations, got ${JSON.stringify(e.locations)}`);
    if (i === 0) check(e.expirationTime === null, `endpoint 0 must not have an expiration time, got ${e.expirationTime?.toISOString()}`);
    else check(e.expirationTime !== null, `endpoint ${i} must have an expiration time`);
  }
  return info;
}

const expirationDoGet: Scenario = async (location) => {
  const client = new FlightClient(location);
  try {
    const info = await expiringInfo(client, 'expiration_time');
    const values: number[] = [];
    let batchCount = 0;
    for (const [i, e] of info.endpoints.entries()) {
      const { schema, batches } = await readEndpoint(client, e);
      check(sameSchema(schema, 'number', 'Uint32'), `endpoint ${i}: expected schema {number: Uint32 not null}, got ${describeSchema(schema)}`);
      for (const b of batches) {
        check(b.numRows === 1, `endpoint ${i}: expected batches of one row, got ${b.numRows}`);
        values.push(...column(b));
      }
      batchCount += batches.length;
    }
    check(batchCount === 3, `expected 3 batches in all, got ${batchCount}`);
    check(JSON.stringify(values) === '[0,1,2]', `expected the values [0,1,2], got ${JSON.stringify(values)}`);
  } finally {
    client.close();
  }
};

const expirationListActions: Scenario = async (location) => {
  const client = new FlightClient(location);
  try {
    const types = (await client.listActions()).map((a) => a.type);
    check(JSON.stringify(types) === JSON.stringify(['CancelFlightInfo', 'RenewFlightEndpoint']),
      `expected the actions [CancelFlightInfo, RenewFlightEndpoint], got ${JSON.stringify(types)}`);
  } finally {
    client.close();
  }
};

const expirationCancel: Scenario = async (location) => {
  const client = new FlightClient(location);
  try {
    const info = await expiringInfo(client, 'expiration');
    const status = await client.cancelFlightInfo(info);
    check(status === 'CANCELLED', `CancelFlightInfo: expected CANCELLED, got ${status}`);
    for (const [i, e] of info.endpoints.entries()) {
      // As arrow-go requires: the failure comes instead of the stream's first message.
      let delivered = 0;
      await expectFailure(`DoGet of cancelled endpoint ${i}`, async () => {
        for await (const _ of client.doGet(e).items()) delivered++;
      });
      check(delivered === 0, `DoGet of cancelled endpoint ${i}: the failure came after ${delivered} batches`);
    }
  } finally {
    client.close();
  }
};

const expirationRenew: Scenario = async (location) => {
  const client = new FlightClient(location);
  try {
    const info = await expiringInfo(client, 'expiration');
    for (const [i, e] of info.endpoints.entries()) {
      if (e.expirationTime === null) continue;
      const renewed = await client.renewFlightEndpoint(e);
      check(renewed.expirationTime !== null, `endpoint ${i}: the renewed endpoint has no expiration time`);
      check(renewed.expirationTime.getTime() > e.expirationTime.getTime(),
        `endpoint ${i}: renewed expiration ${renewed.expirationTime.toISOString()} is not after ${e.expirationTime.toISOString()}`);
    }
  } finally {
    client.close();
  }
};

const locationReuseConnection: Scenario = async (location) => {
  const client = new FlightClient(location);
  try {
    const info = await client.getFlightInfo(cmd('reuse'));
    check(info.endpoints.length === 1, `expected 1 endpoint, got ${info.endpoints.length}`);
    const locations = info.endpoints[0]!.locations;
    check(locations.length === 1, `expected 1 location, got ${JSON.stringify(locations)}`);
    check(locations[0] === REUSE_CONNECTION, `expected the location ${REUSE_CONNECTION}, got ${locations[0]}`);
  } finally {
    client.close();
  }
};

// session_options: arrow-go's sequence, with Arrow Java's replace-by-another-type step, and a
// last check that a closed session is gone (the cookie is dropped, a new session is empty).
const sessionOptions: Scenario = async (location) => {
  const client = new FlightClient(location);
  const show = (o: object) => JSON.stringify(o, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
  const list = ['a', 'b', 'sea', 'dee', ' ', '  ', 'geee', '(づ｡◕‿‿◕｡)づ'];
  try {
    check(show(await client.getSessionOptions()) === '{}', 'a new session must have no options');
    const errors = await client.setSessionOptions({
      foolong: 123n,
      bardouble: 456.0,
      lol_invalid: 'this won\'t get set',
      key_with_invalid_value: 'lol_invalid',
      big_ol_string_list: list,
    });
    check(show(errors) === show({ lol_invalid: 'INVALID_NAME', key_with_invalid_value: 'INVALID_VALUE' }) ||
      show(errors) === show({ key_with_invalid_value: 'INVALID_VALUE', lol_invalid: 'INVALID_NAME' }),
    `SetSessionOptions errors: expected {lol_invalid: INVALID_NAME, key_with_invalid_value: INVALID_VALUE}, got ${show(errors)}`);
    const sorted = (o: Record<string, unknown>) => show(Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b))));
    const got = await client.getSessionOptions();
    check(sorted(got) === sorted({ foolong: 123n, bardouble: 456, big_ol_string_list: list }), `GetSessionOptions: got ${show(got)}`);
    check(typeof got.foolong === 'bigint' && typeof got.bardouble === 'number' && Array.isArray(got.big_ol_string_list), `GetSessionOptions: wrong value types in ${show(got)}`);
    const replaced = list.join(',');
    check(show(await client.setSessionOptions({ foolong: null, big_ol_string_list: replaced })) === '{}', 'removing foolong and replacing big_ol_string_list must succeed');
    const after = await client.getSessionOptions();
    check(sorted(after) === sorted({ bardouble: 456, big_ol_string_list: replaced }), `GetSessionOptions after the change: got ${show(after)}`);
    const closed = await client.closeSession();
    check(closed === 'CLOSED', `CloseSession: expected CLOSED, got ${closed}`);
    check(show(await client.getSessionOptions()) === '{}', 'after CloseSession, a new session must have no options');
  } finally {
    client.close();
  }
};

const pollFlightInfo: Scenario = async (location) => {
  const client = new FlightClient(location);
  try {
    const first = await client.pollFlightInfo(cmd('heavy query'));
    check(first.info !== null, 'first PollInfo: info must be set');
    check(first.progress !== null && first.progress >= 0 && first.progress <= 1, `first PollInfo: progress must be in [0, 1], got ${first.progress}`);
    check(first.expirationTime !== null, 'first PollInfo: expiration_time must be set');
    check(first.descriptor !== null, 'first PollInfo: flight_descriptor (the next poll) must be set');
    const done = await client.pollFlightInfo(first.descriptor);
    check(done.info !== null, 'final PollInfo: info must be set');
    check(done.progress !== null && Math.abs(done.progress - 1) < 1e-5, `final PollInfo: progress must be 1, got ${done.progress}`);
    check(done.expirationTime === null, 'final PollInfo: expiration_time must be unset');
    check(done.descriptor === null, 'final PollInfo: flight_descriptor must be unset');
  } finally {
    client.close();
  }
};

const appMetadataFlightInfoEndpoint: Scenario = async (location) => {
  const client = new FlightClient(location);
  try {
    const info = await client.getFlightInfo(cmd('foobar'));
    check(text(info.appMetadata) === 'foobar', `FlightInfo.app_metadata: expected "foobar", got ${JSON.stringify(text(info.appMetadata))}`);
    check(info.endpoints.length === 1, `expected 1 endpoint, got ${info.endpoints.length}`);
    check(text(info.endpoints[0]!.appMetadata) === 'foobar', `endpoint app_metadata: expected "foobar", got ${JSON.stringify(text(info.endpoints[0]!.appMetadata))}`);
  } finally {
    client.close();
  }
};

// do_exchange:echo: four batches of x: int32 not null written in lockstep, app_metadata on
// batches 0 and 2 only; each echo must match, metadata included (absent when none was sent).
const doExchangeEcho: Scenario = async (location) => {
  const client = new FlightClient(location);
  const schema = new Schema([new Field('x', new Int32(), false)]);
  try {
    const exchange = client.doExchange(cmd('echo'));
    const replies = exchange.items()[Symbol.asyncIterator]();
    for (let b = 0; b < 4; b++) {
      const values = Int32Array.from({ length: 10 }, (_, r) => b + r);
      const child = makeData({ type: new Int32(), length: 10, nullCount: 0, data: values });
      const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 10, nullCount: 0, children: [child] }));
      const metadata = b % 2 === 0 ? Buffer.from(String(b)) : undefined;
      await exchange.write(batch, metadata);
      const reply = await replies.next();
      check(!reply.done, `batch ${b}: the server ended the stream instead of echoing`);
      const { batch: echoed, appMetadata } = reply.value;
      check(echoed !== null, `batch ${b}: the echo is app_metadata without data`);
      if (metadata) check(appMetadata && text(appMetadata) === String(b), `batch ${b}: expected app_metadata "${b}", got ${JSON.stringify(text(appMetadata))}`);
      else check(appMetadata === undefined, `batch ${b}: expected no app_metadata, got ${JSON.stringify(text(appMetadata))}`);
      check(sameSchema(echoed.schema, 'x', 'Int32'), `batch ${b}: expected schema {x: Int32 not null}, got ${describeSchema(echoed.schema)}`);
      check(JSON.stringify(column(echoed)) === JSON.stringify(Array.from(values)), `batch ${b}: expected ${JSON.stringify(Array.from(values))}, got ${JSON.stringify(column(echoed))}`);
    }
    exchange.end();
    const last = await replies.next();
    check(last.done, 'expected the end of the stream after the client finished writing');
  } finally {
    client.close();
  }
};

export const TS_SCENARIOS: Record<string, Scenario> = {
  'auth:basic_proto': authBasicProto,
  middleware,
  ordered,
  'expiration_time:do_get': expirationDoGet,
  'expiration_time:list_actions': expirationListActions,
  'expiration_time:cancel_flight_info': expirationCancel,
  'expiration_time:renew_flight_endpoint': expirationRenew,
  'location:reuse_connection': locationReuseConnection,
  session_options: sessionOptions,
  poll_flight_info: pollFlightInfo,
  app_metadata_flight_info_endpoint: appMetadataFlightInfoEndpoint,
  'do_exchange:echo': doExchangeEcho,
};

function flag(argv: string[], name: string): string {
  const i = argv.indexOf(name);
  const v = i >= 0 ? argv[i + 1] : undefined;
  if (v === undefined) throw new Error(`usage: ts-scenario-client.ts -host HOST -port PORT -scenario NAME (missing ${name})`);
  return v;
}

if (process.argv[1]?.endsWith('ts-scenario-client.ts')) {
  const argv = process.argv.slice(2);
  const name = flag(argv, '-scenario');
  const scenario = TS_SCENARIOS[name];
  if (!scenario) {
    console.error(`unknown scenario ${JSON.stringify(name)}; known: ${Object.keys(TS_SCENARIOS).join(', ')}`);
    process.exit(2);
  }
  scenario(`grpc+tcp://${flag(argv, '-host')}:${flag(argv, '-port')}`).then(() => {
    console.log(`${name}: ok`);
  }, (e) => {
    console.error(`${name}: ${e instanceof CheckFailed ? 'check failed: ' : ''}${(e as Error).message}`);
    process.exitCode = 1;
  });
}
