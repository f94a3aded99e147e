// The settings a cluster's config node may hold, validated by the very parsers the server's
// flags, environment and --config file use (config.ts), so that a value is accepted in the
// node exactly when it would be accepted on the command line. Only settings a running replica
// can apply without a restart belong here; the rest (ports, data root, auth, ...) stay per
// replica.
import { OPTIONS, type ServerConfig } from './config.ts';

export const CLUSTER_SETTING_KEYS = ['readOnly', 'compression', 'rowGroupRows', 'maxBufferedBytes', 'retentionMs', 'endpointBytes', 'maxMessageBytes', 'sqlTimeLimitMs', 'sqlMaxQueries', 'landing', 'convertPaused', 'convertRateBytes', 'maxTableLandedBytes', 'maxLandedBytes', 'landedWaitMs'] as const;

export type ClusterSettingKey = (typeof CLUSTER_SETTING_KEYS)[number];
export type ClusterSettings = Pick<ServerConfig, ClusterSettingKey>;

/** A replica's own values of the cluster settings (its flags, environment and --config file). */
export function clusterSettingsOf(config: ServerConfig): ClusterSettings {
  return Object.fromEntries(CLUSTER_SETTING_KEYS.map((k) => [k, config[k]])) as ClusterSettings;
}

const isClusterKey = (k: string): k is ClusterSettingKey => (CLUSTER_SETTING_KEYS as readonly string[]).includes(k);

/** A setting by its config-file key (`retentionMs`) or its flag (`retention`, `--retention`). */
export function clusterSettingKey(name: string): ClusterSettingKey {
  if (isClusterKey(name)) return name;
  const flag = name.startsWith('--') ? name : `--${name}`;
  const spec = OPTIONS.find((o) => o.flag === flag);
  if (spec && isClusterKey(spec.key)) return spec.key;
  const why = spec || OPTIONS.some((o) => o.key === name) ? `${JSON.stringify(name)} is a per-replica setting (it needs a restart)` : `unknown setting ${JSON.stringify(name)}`;
  throw new Error(`${why}; the cluster config holds ${CLUSTER_SETTING_KEYS.join(', ')}`);
}

/** One setting's value, parsed as its flag would be (strings, numbers and booleans accepted). */
export function parseClusterSetting(key: ClusterSettingKey, value: unknown): ClusterSettings[ClusterSettingKey] {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new Error(`${key} must be a string, number or boolean, got ${JSON.stringify(value)}`);
  }
  const spec = OPTIONS.find((o) => o.key === key)!;
  try {
    return spec.parse(String(value)) as ClusterSettings[ClusterSettingKey];
  } catch (e) {
    throw new Error(`${key}: ${(e as Error).message}`);
  }
}

/** The whole node: a JSON object of cluster settings. Throws an Error naming the first problem. */
export function parseClusterConfig(text: string): Partial<ClusterSettings> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object of settings');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (!isClusterKey(k)) clusterSettingKey(k); // throws, naming why
    out[k] = parseClusterSetting(k as ClusterSettingKey, v);
  }
  return out as Partial<ClusterSettings>;
}

/** `KEY=VALUE` arguments (as `quiver cluster config set` takes them) as parsed settings. */
export function parseAssignments(args: string[]): Partial<ClusterSettings> {
  const out: Record<string, unknown> = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new Error(`expected KEY=VALUE, got ${JSON.stringify(a)}`);
    const key = clusterSettingKey(a.slice(0, eq));
    out[key] = parseClusterSetting(key, a.slice(eq + 1));
  }
  return out as Partial<ClusterSettings>;
}
