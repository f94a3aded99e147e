// `quiver cluster`: the server's view of its cluster (the cluster-status action).
import type { ClusterReport } from '../flight/context.ts';
import { command } from './command.ts';
import { withClient } from './connection.ts';
import { columns } from './format.ts';

export const cluster = command({
  name: 'cluster',
  synopsis: '[options]',
  description: 'Shows whether --server runs alone or in a cluster, which replica leads, its ZooKeeper session state and the live members. Ask another replica to see its view.',
  positionals: [0, 0],
  options: {
    json: { type: 'boolean', help: 'the cluster-status action\'s JSON as it is' },
  },
  async run({ values }) {
    const report = await withClient(values, async (client) => {
      for await (const body of client.doAction('cluster-status')) return JSON.parse(Buffer.from(body).toString('utf8')) as ClusterReport;
      throw new Error('the server answered cluster-status with no result');
    });
    if (values.json) {
      console.log(JSON.stringify(report));
      return;
    }
    if (report.mode === 'local') {
      console.log(`${report.self.location}: embedded mode (no cluster), takes writes itself`);
      return;
    }
    console.log(`cluster ${report.cluster}: asked ${report.self.location} (${report.isLeader ? 'leader' : 'follower'}, ZooKeeper session ${report.session})`);
    console.log(`leader: ${report.leader?.location ?? 'none elected (no ZooKeeper quorum?)'}`);
    console.log(columns(
      ['MEMBER', 'ROLE'],
      report.members.map((m) => [m.location, m.location === report.leader?.location ? 'leader' : 'follower']),
      [false, false],
    ));
  },
});
