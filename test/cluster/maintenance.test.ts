// Maintenance in a cluster of two replicas on one data root: only the leader runs it (the action
// on a follower is UNAVAILABLE and names the leader), the periodic loop runs on the leader alone,
// and when the leader dies the loop starts on its successor.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { FlightClient, FlightError } from '../../src/client/index.ts';
import { sampleTable } from '../harness/flight-tables.ts';
import { startReplicaSet, type ReplicaSet, type SetMember } from '../harness/replica-set.ts';

const EVENT_WAIT_MS = 30_000;
type Json = Record<string, any>;

type Replica = SetMember<FlightClient>;

async function actionJson(client: FlightClient, type: string, body = ''): Promise<Json[]> {
  const out: Json[] = [];
  for await (const r of client.doAction(type, body)) out.push(JSON.parse(Buffer.from(r).toString('utf8')) as Json);
  return out;
}

/** `logs` (the replicas' stderr) goes into the failure message: what the loop was doing. */
async function eventually(check: () => Promise<boolean> | boolean, what: string, logs: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + EVENT_WAIT_MS;
  while (!(await Promise.resolve().then(check).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${logs()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('maintenance in a cluster', () => {
  let set: ReplicaSet<FlightClient>;
  let replicas: Replica[];
  const isLeader = async (r: Replica) => (await actionJson(r.client, 'cluster-status'))[0]!.is_leader === true;

  before(async () => {
    set = await startReplicaSet({
      count: 2,
      cluster: 'maint-test',
      args: ['--retention', '100ms', '--maintenance-interval', '300ms', '--gc-grace', '0'],
      client: (p) => new FlightClient(`grpc+tcp://${p.address}`),
    });
    replicas = set.replicas;
    await eventually(async () => (await Promise.all(replicas.map(isLeader))).filter(Boolean).length === 1, 'one leader');
  });
  after(() => set?.stop());

  test('the action runs on the leader only; the loop runs there and starts on a successor', async () => {
    const roles = await Promise.all(replicas.map(isLeader));
    const leader = replicas[roles.indexOf(true)]!;
    const follower = replicas[roles.indexOf(false)]!;

    await assert.rejects(actionJson(follower.client, 'maintenance', '{"tasks": ["gc"]}'), (e: unknown) => e instanceof FlightError && e.code === grpc.status.UNAVAILABLE && e.details.includes(`127.0.0.1:${leader.process.port}`));
    const report = (await actionJson(leader.client, 'maintenance', '{"tasks": ["gc"]}')).at(-1)!.report as Json;
    assert.deepEqual(report.tasks, ['gc']);

    await follower.client.doPut('c', sampleTable(1, 2));
    await follower.client.doPut('c', sampleTable(1, 2));
    const versions = async () => (await actionJson(follower.client, 'history', '{"table": "c"}')).map((v) => v.version as number);
    const logs = () => replicas.map((r, i) => `--- replica ${i}${r === leader ? ' (leader)' : ''}:\n${r.process.stderr().slice(-4000)}`).join('\n');
    await eventually(async () => (await versions()).join() === '2', 'the leader\'s loop to expire version 1', logs);
    // The version disappears from the log before the run's line about it reaches stderr.
    await eventually(() => /expired versions/.test(leader.process.stderr()), 'the leader to log the expiry', logs);
    assert.match(leader.process.stderr(), /maintenance schedule started/);
    assert.doesNotMatch(follower.process.stderr(), /maintenance schedule started/);

    await leader.process.stop('SIGKILL');
    await eventually(() => /maintenance schedule started/.test(follower.process.stderr()), 'the successor to start its loop', logs);
    await follower.client.doPut('c', sampleTable(1, 2));
    await eventually(async () => (await versions()).join() === '3', 'the successor\'s loop to expire version 2', logs);
  });
});
