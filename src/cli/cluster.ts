// `quiver cluster`: the server's view of its cluster (the cluster-status action), and
// `quiver cluster config [set KEY=VALUE... | unset KEY...]`: the cluster's shared settings (the
// cluster-config action, which the replica carries out against ZooKeeper).
import { AdminClient, type ClusterConfigRequest, type ClusterConfigResponse } from '../client/index.ts';
import { CLUSTER_SETTING_KEYS, clusterSettingKey, parseAssignments } from '../server/cluster-settings.ts';
import { UsageError, command } from './command.ts';
import { withClient } from './connection.ts';
import { columns } from './format.ts';

const CONFIG_USAGE = `quiver cluster config [set KEY=VALUE... | unset KEY...]; keys: ${CLUSTER_SETTING_KEYS.join(', ')}`;

export const cluster = command({
  name: 'cluster',
  synopsis: '[config [set KEY=VALUE... | unset KEY...]] [options]',
  description: [
    'Shows whether --server runs alone or in a cluster, which replica leads, its ZooKeeper session state, the live members and the settings in force. Ask another replica to see its view.',
    '',
    '`quiver cluster config` shows the cluster\'s shared settings (the config node in ZooKeeper, version included) and the effective settings of --server.',
    '`quiver cluster config set KEY=VALUE...` changes them for every replica at once, live; `unset KEY...` hands a setting back to each replica\'s own flags.',
    `Keys (as in a --config file, or as flags without --): ${CLUSTER_SETTING_KEYS.join(', ')}; e.g. readOnly=true, compression=snappy, retention=12h.`,
  ].join('\n'),
  positionals: [0, Infinity],
  options: {
    json: { type: 'boolean', help: 'the action\'s JSON result as it is' },
  },
  async run({ values, positionals }) {
    if (positionals.length > 0) return configCommand(values, positionals);
    const report = await withClient(values, (client) => new AdminClient(client).clusterStatus());
    if (values.json) {
      console.log(JSON.stringify(report));
      return;
    }
    const health = report.health ? `; health ${report.health.status}, writes ${report.health.writes}${report.health.problems.length ? ` (${report.health.problems.join(', ')})` : ''}` : '';
    if (report.mode === 'local') {
      console.log(`${report.self.location}: embedded mode (no cluster), takes writes itself${health}`);
    } else {
      console.log(`cluster ${report.cluster}: asked ${report.self.location} (${report.is_leader ? 'leader' : 'follower'}, ZooKeeper session ${report.session}${health})`);
      console.log(`leader: ${report.leader?.location ?? 'none elected (no ZooKeeper quorum?)'}`);
      console.log(columns(
        ['MEMBER', 'ROLE', 'HEALTH'],
        report.members.map((m) => [m.location, m.location === report.leader?.location ? 'leader' : 'follower', m.health ?? '?']),
        [false, false, false],
      ));
    }
    if (report.config) printConfig(report.config);
  },
});

async function configCommand(values: Record<string, string | boolean | undefined>, args: string[]): Promise<void> {
  const [what, verb, ...rest] = args;
  if (what !== 'config') throw new UsageError(`unknown argument ${JSON.stringify(what)}; ${CONFIG_USAGE}`);
  let change: ClusterConfigRequest | undefined;
  if (verb === 'set') {
    if (rest.length === 0) throw new UsageError(`set needs KEY=VALUE arguments; ${CONFIG_USAGE}`);
    let set: Record<string, unknown>;
    try {
      set = parseAssignments(rest);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    change = { set };
  } else if (verb === 'unset') {
    if (rest.length === 0) throw new UsageError(`unset needs KEY arguments; ${CONFIG_USAGE}`);
    let unset: string[];
    try {
      unset = rest.map(clusterSettingKey);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    change = { unset };
  } else if (verb !== undefined) {
    throw new UsageError(`unknown argument ${JSON.stringify(verb)}; ${CONFIG_USAGE}`);
  }
  const report = await withClient(values, (client) => new AdminClient(client).clusterConfig(change));
  if (values.json) console.log(JSON.stringify(report));
  else printConfig(report);
}

function printConfig(config: ClusterConfigResponse): void {
  const where = config.version === null ? 'no cluster config (embedded mode): the server\'s own settings' : config.version === -1 ? 'cluster config: none set (every replica uses its own settings)' : `cluster config version ${config.version}`;
  console.log(where);
  console.log(columns(
    ['SETTING', 'VALUE', 'FROM'],
    Object.entries(config.effective).map(([k, v]) => [k, String(v), k in config.cluster ? 'cluster' : 'replica']),
    [false, false, false],
  ));
  if (config.rejected) console.log(`rejected: version ${config.rejected.version}: ${config.rejected.problem} (the settings above stay in force)`);
}
