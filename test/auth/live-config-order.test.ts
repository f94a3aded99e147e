// Live cluster config never goes back to an older node version: a read that arrives after a
// newer one (a re-read from a lagging ZooKeeper member after a new session, a slow reply
// overtaken by the watch) changes nothing, while a deleted and re-created node still applies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULTS } from '../../src/server/config.ts';
import { clusterSettingsOf } from '../../src/server/cluster-settings.ts';
import { LiveConfig } from '../../src/server/live-config.ts';

const silent = { info() {}, warn() {}, error() {} };
const fresh = () => new LiveConfig(clusterSettingsOf(DEFAULTS), silent, true);

test('an older read after a newer one is ignored (by ZooKeeper write order)', () => {
  const live = fresh();
  live.apply({ text: '{"readOnly": true}', version: 5, order: 1000n });
  live.apply({ text: '{"readOnly": false}', version: 3, order: 400n });
  assert.equal(live.settings.readOnly, true);
  assert.equal(live.report().version, 5);
  live.apply({ text: '{"readOnly": false}', version: 6, order: 1100n });
  assert.equal(live.settings.readOnly, false);
});

test('without a write order, the znode version decides', () => {
  const live = fresh();
  live.apply({ text: '{"retentionMs": "1h"}', version: 2 });
  live.apply({ text: '{"retentionMs": "2h"}', version: 1 });
  assert.equal(live.settings.retentionMs, 3_600_000);
});

test('a node deleted and created again applies although its version restarts at 0', () => {
  const live = fresh();
  live.apply({ text: '{"readOnly": true}', version: 7, order: 500n });
  live.apply({ text: null, version: -1 });
  assert.equal(live.settings.readOnly, false);
  live.apply({ text: '{"compression": "snappy"}', version: 0, order: 900n });
  assert.equal(live.settings.compression, 'snappy');
  live.apply({ text: '{"readOnly": true}', version: 7, order: 500n }); // the old incarnation, late
  assert.equal(live.settings.readOnly, false);
});
