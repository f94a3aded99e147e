// The table catalog in ZooKeeper: each commit publishes the table's schema, formats, counts,
// tableId and creation time with its pointer, so a follower answers ListFlights and GetSchema
// from ZooKeeper alone — shown here by taking the manifests away from the shared root, after
// which GetFlightInfo (which needs the file list) fails while the listing and schema still work.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { tableFromArrays } from 'apache-arrow';
import { framePrefix } from '../../src/arrow/ipc-framing.ts';
import { decodeSchema } from '../../src/arrow/ipc-message.ts';
import { ZkSession } from '../../src/coord/zookeeper/session.ts';
import { ZnodeLayout } from '../../src/coord/zookeeper/znode-layout.ts';
import type { ClusterStatusResponse as ClusterReport } from '../../src/wire/admin-actions.ts';
import { tableDirName } from '../../src/table-names.ts';
import { framesOf, pathDescriptor, putMessages } from '../harness/arrow-frames.ts';
import { rawClient, rawPut, streamCall, unaryCall, type RawClient } from '../harness/raw-flight-client.ts';
import { startReplicaSet, type ReplicaSet } from '../harness/replica-set.ts';

const CLUSTER = 'catalog-test';

describe('the table catalog in ZooKeeper', () => {
  let set: ReplicaSet<RawClient>;
  let replicas: ReplicaSet<RawClient>['replicas'];

  before(async () => {
    set = await startReplicaSet({ count: 2, cluster: CLUSTER, client: (p) => rawClient(p.address) });
    replicas = set.replicas;
  });
  after(() => set?.stop());

  test('a follower lists tables and answers GetSchema from ZooKeeper, without the manifests', async () => {
    const statuses = await Promise.all(replicas.map(async (r) => {
      const [result] = await streamCall<{ body: Buffer }>(r.client, 'DoAction', { type: 'cluster-status', body: Buffer.alloc(0) });
      return JSON.parse(result!.body.toString()) as ClusterReport;
    }));
    const follower = replicas[statuses.findIndex((s) => !s.is_leader)]!;
    // The schema message as sent is what GetSchema must give back, byte for byte.
    const [sentSchema, ...batches] = framesOf(tableFromArrays({ id: Int32Array.from([1, 2, 3]), name: Float64Array.from([0.5, 1.5, 2.5]) }));
    assert.ok(sentSchema);
    assert.equal((await rawPut(follower.client, putMessages(pathDescriptor('cat/one'), [sentSchema, ...batches]))).error, null);
    assert.equal((await rawPut(follower.client, putMessages(pathDescriptor('cat/one'), [sentSchema, ...batches]))).error, null);

    const session = await ZkSession.open({ connect: set.zk.connect, sessionTimeoutMs: 3000 });
    try {
      const node = await session.getData(new ZnodeLayout(CLUSTER).pointer('cat/one'));
      const pointer = JSON.parse(node!.data.toString()) as { version: number; catalog: { tableId: string; createdAt: string; committedAt: string; formats: string[]; rows: number; files: number; schema: string } };
      assert.equal(pointer.version, 2);
      assert.equal(pointer.catalog.rows, 6);
      assert.equal(pointer.catalog.files, 2);
      // DoPut lands Arrow IPC (the test servers' background conversion is paused).
      assert.deepEqual(pointer.catalog.formats, ['arrow-stream']);
      assert.ok(pointer.catalog.createdAt < pointer.catalog.committedAt, 'createdAt is the first version\'s commit time');
      assert.deepEqual(Buffer.from(pointer.catalog.schema, 'base64'), Buffer.from(sentSchema.header));
    } finally {
      await session.close();
    }

    const manifests = path.join(set.data, 'tables', tableDirName('cat/one'), 'manifests');
    fs.renameSync(manifests, `${manifests}.away`);
    try {
      await assert.rejects(unaryCall(follower.client, 'GetFlightInfo', pathDescriptor('cat/one')), (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND, 'without manifests the file list is gone');
      const listed = await streamCall<{ flight_descriptor: { path: string[] }; total_records: string; schema: Buffer; endpoint: unknown[] }>(follower.client, 'ListFlights', { expression: Buffer.from('cat/') });
      assert.deepEqual(listed.map((i) => i.flight_descriptor.path.join('/')), ['cat/one']);
      assert.equal(Number(listed[0]!.total_records), 6);
      assert.deepEqual(listed[0]!.schema, Buffer.from(framePrefix(sentSchema.header)));
      const { schema } = await unaryCall<{ schema: Buffer }>(follower.client, 'GetSchema', pathDescriptor('cat/one'));
      assert.deepEqual(schema, Buffer.from(framePrefix(sentSchema.header)));
      const projected = await unaryCall<{ schema: Buffer }>(follower.client, 'GetSchema', { type: 'CMD', cmd: Buffer.from(JSON.stringify({ table: 'cat/one', columns: ['name'] })), path: [] });
      assert.deepEqual(decodeSchema(projected.schema.subarray(8)).fields.map((f) => f.name), ['name']);
    } finally {
      fs.renameSync(`${manifests}.away`, manifests);
    }
    // The listing's single endpoint reads the whole version.
    const [info] = await streamCall<{ endpoint: { ticket: { ticket: Buffer } }[] }>(follower.client, 'ListFlights', { expression: Buffer.from('cat/one') });
    const got = await streamCall<{ data_header: Buffer }>(follower.client, 'DoGet', { ticket: info!.endpoint[0]!.ticket.ticket });
    assert.equal(got.length, 3, 'the schema and both versions\' batches');
  });
});
