// DoExchange lookups are reads: in a cluster of two replicas on one data root and a real
// ZooKeeper, the follower answers them from the shared storage as the leader does, for the
// current version and for older ones.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { tableFromArrays, tableFromIPC } from 'apache-arrow';
import { encodeStream } from '../../src/arrow/ipc-framing.ts';
import type { FlightDataMessage } from '../../src/wire/flight-data.ts';
import { cmdDescriptor, framesOf, pathDescriptor, putMessages } from '../harness/arrow-frames.ts';
import { rawClient, rawPut, streamCall, type RawClient } from '../harness/raw-flight-client.ts';
import { startReplicaSet, type ReplicaSet } from '../harness/replica-set.ts';

const WAIT_MS = 30_000;
let set: ReplicaSet<RawClient>;
let replicas: ReplicaSet<RawClient>['replicas'];

const rows = (ids: number[]) => framesOf(tableFromArrays({ id: Int32Array.from(ids), label: ids.map((i) => `row-${i}`) }));

/** One lookup of `ids`: the labels of the matching rows, as the replica answers. */
function lookup(client: RawClient, ids: number[], version?: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const call = client.DoExchange() as grpc.ClientDuplexStream<FlightDataMessage, FlightDataMessage>;
    const replies: FlightDataMessage[] = [];
    call.on('data', (m: FlightDataMessage) => replies.push(m));
    call.on('error', reject);
    call.on('end', () => {
      const table = tableFromIPC(encodeStream(replies.map((m) => ({ header: m.header, body: m.body }))));
      resolve(table.getChild('label')!.toArray() as string[]);
    });
    const descriptor = cmdDescriptor({ table: 'dim', key: 'id', ...(version ? { version } : {}) });
    for (const m of putMessages(descriptor, framesOf(tableFromArrays({ id: Int32Array.from(ids) })))) call.write(m);
    call.end();
  });
}

async function versionOn(client: RawClient): Promise<number> {
  const history = await streamCall<{ body: Buffer }>(client, 'DoAction', { type: 'history', body: Buffer.from('{"table":"dim"}') });
  return Math.max(...history.map((h) => (JSON.parse(h.body.toString()) as { version: number }).version));
}

describe('lookups in a cluster', () => {
  before(async () => {
    set = await startReplicaSet({ count: 2, cluster: 'exchange-test', client: (p) => rawClient(p.address) });
    replicas = set.replicas;
  });
  after(() => set?.stop());

  test('every replica answers lookups, for the current version and an older one', async () => {
    for (const [i, ids] of [[1, 2, 3], [4, 2]].entries()) {
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        const { error } = await rawPut(replicas[i]!.client, putMessages(pathDescriptor('dim'), rows(ids)));
        if (!error) break;
        // The cluster may still be electing its leader.
        assert.equal(error.code, grpc.status.UNAVAILABLE, error.details);
        if (Date.now() > deadline) throw new Error('no replica accepted the write');
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    for (const r of replicas) {
      const deadline = Date.now() + WAIT_MS;
      while ((await versionOn(r.client)) < 2) {
        if (Date.now() > deadline) throw new Error('a replica never saw version 2');
        await new Promise((res) => setTimeout(res, 100));
      }
      assert.deepEqual(await lookup(r.client, [2, 9, 4]), ['row-2', 'row-2', 'row-4']);
      assert.deepEqual(await lookup(r.client, [2, 9, 4], 1), ['row-2']);
    }
  });
});
