// What a replica does with each content of its cluster's config node: the same parsers as its
// flags, unknown and per-replica keys refused, an invalid node refused whole with one log line
// while the settings in force stay, and a deleted node handing every key back to the flags.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Logger } from '../../src/flight/context.ts';
import { clusterSettingKey, parseAssignments, parseClusterConfig, type ClusterSettings } from '../../src/server/cluster-settings.ts';
import { DEFAULTS } from '../../src/server/config.ts';
import { LiveConfig } from '../../src/server/live-config.ts';

const replica: ClusterSettings = {
  readOnly: false,
  compression: 'zstd',
  rowGroupRows: 1000,
  maxBufferedBytes: DEFAULTS.maxBufferedBytes,
  retentionMs: DEFAULTS.retentionMs,
  endpointBytes: DEFAULTS.endpointBytes,
  maxMessageBytes: -1,
  sqlTimeLimitMs: DEFAULTS.sqlTimeLimitMs,
  sqlMaxQueries: DEFAULTS.sqlMaxQueries,
  landing: DEFAULTS.landing,
  convertPaused: DEFAULTS.convertPaused,
  convertRateBytes: DEFAULTS.convertRateBytes,
  maxTableLandedBytes: DEFAULTS.maxTableLandedBytes,
  maxLandedBytes: DEFAULTS.maxLandedBytes,
  landedWaitMs: DEFAULTS.landedWaitMs,
};

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m, f) => lines.push(`INFO ${m} ${JSON.stringify(f ?? {})}`),
    warn: (m, f) => lines.push(`WARN ${m} ${JSON.stringify(f ?? {})}`),
    error: (m) => lines.push(`ERROR ${m}`),
  };
}

describe('cluster settings', () => {
  test('values go through the flags\' parsers; keys by config key or flag name', () => {
    assert.deepEqual(parseClusterConfig('{"readOnly": true, "retentionMs": "12h", "rowGroupRows": 5, "compression": "snappy"}'), {
      readOnly: true, retentionMs: 12 * 3_600_000, rowGroupRows: 5, compression: 'snappy',
    });
    assert.deepEqual(parseAssignments(['read-only=true', '--retention=30s', 'maxMessageBytes=-1']), { readOnly: true, retentionMs: 30_000, maxMessageBytes: -1 });
    assert.equal(clusterSettingKey('row-group-rows'), 'rowGroupRows');
  });

  test('unknown keys, per-replica settings, bad values and non-objects are refused with the reason', () => {
    assert.throws(() => parseClusterConfig('{"port": 1}'), /"port" is a per-replica setting/);
    assert.throws(() => parseClusterConfig('{"colour": 1}'), /unknown setting "colour"/);
    assert.throws(() => parseClusterConfig('{"compression": "bogus"}'), /compression: --compression must be one of/);
    assert.throws(() => parseClusterConfig('{"readOnly": "yes"}'), /readOnly: --read-only must be true or false/);
    assert.throws(() => parseClusterConfig('{"rowGroupRows": 0}'), /rowGroupRows: --row-group-rows must be an integer >= 1/);
    assert.throws(() => parseClusterConfig('{"rowGroupRows": [1]}'), /must be a string, number or boolean/);
    assert.throws(() => parseClusterConfig('[1]'), /not a JSON object/);
    assert.throws(() => parseClusterConfig('{'), /not JSON/);
    assert.throws(() => parseAssignments(['readOnly']), /expected KEY=VALUE/);
  });
});

describe('LiveConfig', () => {
  test('the node overrides the replica key by key; an invalid node is refused once and changes nothing; a deleted node hands back', () => {
    const log = recordingLog();
    const live = new LiveConfig(replica, log, true);
    assert.equal(live.report().version, -1);

    live.apply({ text: '{"compression": "gzip", "retentionMs": 60000}', version: 0 });
    assert.deepEqual(live.settings, { ...replica, compression: 'gzip', retentionMs: 60_000 });
    assert.deepEqual(live.report().cluster, { compression: 'gzip', retentionMs: 60_000 });

    live.apply({ text: '{"compression": "bogus"}', version: 1 });
    live.apply({ text: '{"compression": "bogus"}', version: 1 }); // a re-read after a reconnection
    assert.equal(live.settings.compression, 'gzip');
    assert.equal(live.report().version, 0);
    assert.deepEqual(live.report().rejected, { version: 1, problem: 'compression: --compression must be one of zstd, snappy, gzip, lz4, brotli, none, got "bogus"' });
    const refusals = log.lines.filter((l) => l.includes('rejected'));
    assert.equal(refusals.length, 1);
    assert.match(refusals[0]!, /^WARN cluster config version 1 rejected: compression: .*; version 0 stays in force/);

    live.apply({ text: '{"readOnly": true}', version: 2 });
    assert.deepEqual(live.settings, { ...replica, readOnly: true });
    assert.equal(live.report().rejected, undefined);

    live.apply({ text: null, version: -1 });
    assert.deepEqual(live.settings, replica);
    assert.equal(live.report().version, -1);
    // Re-created: its version starts again at 0 and is applied all the same.
    live.apply({ text: '{"endpointBytes": 10}', version: 0 });
    assert.equal(live.settings.endpointBytes, 10);
  });

  test('whenSeen waits for the watch to deliver a version', async () => {
    const live = new LiveConfig(replica, recordingLog(), true);
    let seen = false;
    const waiting = live.whenSeen(3, 10_000).then(() => (seen = true));
    live.apply({ text: '{}', version: 2 });
    await new Promise((r) => setImmediate(r));
    assert.equal(seen, false);
    live.apply({ text: '{"readOnly": false}', version: 3 });
    await waiting;
    assert.equal(seen, true);
  });
});
