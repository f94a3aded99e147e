// The cluster-config action behind `quiver cluster config`: any replica reads the config node
// and changes it by compare-and-set on its version, so the CLI needs no ZooKeeper access and two
// concurrent changes of different keys both land. A change is a merge (set these keys, remove
// those), so sending it again after a lost reply changes nothing more. It merges onto the stored
// node when that is valid, and otherwise onto the config in force (the stored node was refused,
// so it never was in force): a change through the action is also how a broken node is repaired.
import type { ClusterCoordination } from '../coord/coordinator.ts';
import { QuiverError, invalidArgument } from '../errors.ts';
import type { ClusterConfigAccess } from '../flight/context.ts';
import type { ClusterConfigRequest, ClusterConfigResponse } from '../wire/admin-actions.ts';
import { clusterSettingKey, parseClusterConfig, parseClusterSetting } from './cluster-settings.ts';
import type { LiveConfig } from './live-config.ts';

const ATTEMPTS = 20;
const APPLY_WAIT_MS = 5000;

export class ClusterConfigControl implements ClusterConfigAccess {
  constructor(
    private readonly live: LiveConfig,
    private readonly coordinator: () => ClusterCoordination | null,
  ) {}

  async show(): Promise<ClusterConfigResponse> {
    return this.live.report();
  }

  /** The action's request, decoded by src/wire/admin-actions.ts; setting names as flags or keys. */
  async update(set: Required<ClusterConfigRequest>['set'], unset: Required<ClusterConfigRequest>['unset']): Promise<ClusterConfigResponse> {
    const coordinator = this.coordinator();
    if (!coordinator) throw new QuiverError('FAILED_PRECONDITION', 'this server runs alone (no --zk), so it has no cluster config: change its flags (or --config file) and restart it');
    const changes: Record<string, unknown> = {};
    const removals: string[] = [];
    try {
      for (const [k, v] of Object.entries(set)) {
        const key = clusterSettingKey(k);
        changes[key] = parseClusterSetting(key, v);
      }
      for (const k of unset) removals.push(clusterSettingKey(k));
    } catch (e) {
      throw invalidArgument((e as Error).message);
    }
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const node = await coordinator.readConfig();
      const merged: Record<string, unknown> = { ...this.base(node.text), ...changes };
      for (const k of removals) delete merged[k];
      const text = JSON.stringify(Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b))));
      try {
        parseClusterConfig(text);
      } catch (e) {
        throw new QuiverError('FAILED_PRECONDITION', `the cluster config would not be valid: ${(e as Error).message}; set or unset that setting too`);
      }
      if (text === node.text) {
        await this.live.whenSeen(node.version, APPLY_WAIT_MS);
        return this.live.report();
      }
      const written = await coordinator.writeConfig(text, node.version);
      if (written) {
        // The answer shows this replica applying the change; its watch brings it in moments.
        await this.live.whenSeen(written.version, APPLY_WAIT_MS);
        return this.live.report();
      }
      // Another replica changed the node between our read and write: merge onto its version.
    }
    throw new QuiverError('ABORTED', `the cluster config kept changing under ${ATTEMPTS} attempts to update it; nothing was changed by this call, run it again`);
  }

  private base(text: string | null): Record<string, unknown> {
    if (text === null || text.trim() === '') return {};
    try {
      return parseClusterConfig(text);
    } catch {
      return this.live.report().cluster;
    }
  }
}
