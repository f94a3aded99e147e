// A write that arrives as a query on a follower (ADBC's cursor.execute of DDL, a prepared
// INSERT executed by GetFlightInfo) must still commit on the leader, which alone may publish. The
// follower sends it on as the leader would take it from any client: a descriptor-only DoPut of
// CommandPreparedStatementUpdate whose stateless handle carries the SQL and bound parameters,
// and passes back the count, or the leader's status unchanged.
import * as grpc from '@grpc/grpc-js';
import { QuiverError } from '../errors.ts';
import type { CallInfo } from '../flight/handler-kit.ts';
import { UpstreamStatusError } from '../flight/status.ts';
import { createFlightServiceClient } from '../wire/channel.ts';
import { parseLocation } from '../wire/location.ts';
import type { FlightServiceClient } from '../wire/protocol.ts';
import { decodeSql, packSql } from './sql-messages.ts';

const clients = new Map<string, FlightServiceClient>();

function clientFor(location: string, tlsCredentials?: () => grpc.ChannelCredentials): FlightServiceClient {
  let client = clients.get(location);
  if (!client) {
    const parsed = parseLocation(location);
    if (parsed.tls && !tlsCredentials) throw new QuiverError('UNAVAILABLE', `cannot send the write to the leader at ${location}: this replica has no TLS settings (--tls-cert, --tls-key)`);
    client = createFlightServiceClient(parsed, parsed.tls ? tlsCredentials!() : {});
    clients.set(location, client);
  }
  return client;
}

/** Runs the prepared-statement `handle` as an update on the leader at `location`; its record count. */
export function updateOnLeader(location: string, handle: Buffer, info: CallInfo, tlsCredentials?: () => grpc.ChannelCredentials): Promise<number> {
  const metadata = new grpc.Metadata();
  // Tokens are signed with a key every replica shares, so the caller's credentials hold there too.
  for (const key of ['authorization', 'auth-token-bin']) {
    const value = info.metadata.get(key)[0];
    if (value !== undefined) metadata.set(key, value);
  }
  const call = clientFor(location, tlsCredentials).DoPut(metadata);
  const onAbort = () => call.cancel();
  info.signal.addEventListener('abort', onAbort, { once: true });
  return new Promise<number>((resolve, reject) => {
    let count: number | null = null;
    call.on('data', (r: { app_metadata?: Buffer }) => {
      if (count === null && r.app_metadata) count = Number(decodeSql<{ record_count: number }>('DoPutUpdateResult', r.app_metadata).record_count);
    });
    call.on('error', () => undefined); // the status carries the outcome
    call.on('status', (s: grpc.StatusObject) => {
      info.signal.removeEventListener('abort', onAbort);
      if (s.code !== grpc.status.OK) reject(new UpstreamStatusError(s.code, `the leader at ${location} answered: ${s.details}`, s.metadata));
      else if (count === null) reject(new QuiverError('INTERNAL', `the leader at ${location} answered no DoPutUpdateResult`));
      else resolve(count);
    });
    const cmd = packSql('CommandPreparedStatementUpdate', { prepared_statement_handle: handle });
    call.write({ descriptor: { type: 'CMD', cmd, path: [] }, header: new Uint8Array(0), body: new Uint8Array(0) });
    call.end();
  });
}
