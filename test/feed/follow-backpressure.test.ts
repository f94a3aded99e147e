// A follower whose client stops reading gets backpressure, not buffering on the server: while
// a writer commits far more than the follower's HTTP/2 window (48 MiB against 16 MiB), the bytes
// the server has queued for follow streams (quiver_follow_queued_bytes, the feed's own count of
// what it handed to grpc and HTTP/2 has not let out) stay under FOLLOW_QUEUE_BYTES plus one
// message, the stalled follower falls behind by versions (quiver_follow_lag_max_versions), and
// the writer and another follower keep going. Then the stalled follower reads on and gets every
// version, in order. A real `quiver serve`, scraped over HTTP; RSS alone could not show this.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { tableFromArrays } from 'apache-arrow';
import { FlightClient, type FollowItem } from '../../src/client/index.ts';
import { FOLLOW_QUEUE_BYTES } from '../../src/feed/follow-stream.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';
import { parsePrometheusText, valueOf } from '../ops/prometheus-text.ts';

const VERSIONS = 48;
const BATCH_ROWS = 128 * 1024; // one Float64 column: a 1 MiB body per version, one message
const MESSAGE_BYTES = BATCH_ROWS * 8 + 64 * 1024; // the body plus a generous allowance for its header
const batch = (v: number) => tableFromArrays({ v: Float64Array.from({ length: BATCH_ROWS }, (_, i) => v * BATCH_ROWS + i) });

describe('a follower that stops reading', () => {
  let proc: QuiverProcess;
  let metricsPort: number;

  before(async () => {
    // The stall timeout would reset the stalled stream after 60 s; a loaded machine must not make that part of the test.
    proc = await startQuiver(['--metrics-port', '0', '--stall-timeout', '10m']);
    const line = proc.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; port?: number }).find((l) => l.msg === 'metrics');
    assert.ok(line?.port, `the metrics port is logged:\n${proc.stderr()}`);
    metricsPort = line.port;
  });
  after(async () => {
    await proc?.stop('SIGKILL');
  });

  const scrape = async () => parsePrometheusText(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());

  test('is held back by versions while the server queues at most FOLLOW_QUEUE_BYTES plus one message for it; the writer and other followers go on', { timeout: 300_000 }, async (t) => {
    const location = `grpc+tcp://${proc.address}`;
    const writer = new FlightClient(location);
    const stalledClient = new FlightClient(location);
    const readerClient = new FlightClient(location);
    const stop = new AbortController();
    try {
      await writer.doPut('bp', tableFromArrays({ v: Float64Array.from([-1]) }));
      // The stalled follower asks for its first item and then reads nothing until the writer is done.
      const stalled = stalledClient.follow('bp', { fromVersion: 2 })[Symbol.asyncIterator]();
      const first = stalled.next();
      let readerVersions = 0;
      const reader = (async () => {
        for await (const item of readerClient.follow('bp', { fromVersion: 2, signal: stop.signal })) {
          if (!item.batch && (readerVersions += 1) === VERSIONS) return;
        }
      })();

      let sampling = true;
      const peaks = { total: 0, max: 0 };
      const sampler = (async () => {
        while (sampling) {
          const m = await scrape();
          peaks.total = Math.max(peaks.total, valueOf(m, 'quiver_follow_queued_bytes'));
          peaks.max = Math.max(peaks.max, valueOf(m, 'quiver_follow_queued_bytes_max'));
          await new Promise((r) => setTimeout(r, 100));
        }
      })();

      for (let v = 1; v <= VERSIONS; v++) await writer.doPut('bp', batch(v));
      await reader; // the follower that reads got all 48 versions while the other read nothing
      assert.equal(readerVersions, VERSIONS);
      await new Promise((r) => setTimeout(r, 500));
      sampling = false;
      await sampler;

      const now = await scrape();
      const queued = valueOf(now, 'quiver_follow_queued_bytes');
      const lag = valueOf(now, 'quiver_follow_lag_max_versions');
      const bound = FOLLOW_QUEUE_BYTES + MESSAGE_BYTES;
      t.diagnostic(`queued bytes: peak per stream ${peaks.max}, peak total ${peaks.total}, now ${queued} (bound ${bound}); stalled follower ${lag} versions behind`);
      assert.ok(peaks.max <= bound, `one follow stream queued ${peaks.max} bytes, over ${bound}`);
      // The reading follower queues next to nothing: the total is the stalled stream's, and bounded alike.
      assert.ok(peaks.total <= bound + MESSAGE_BYTES, `follow streams queued ${peaks.total} bytes in all`);
      // The stalled stream is full (its queue is what the gauge counts) and behind by versions it has not read yet.
      assert.ok(queued > 0, 'the stalled follower has bytes queued: the gauge sees them');
      assert.ok(lag >= 1, `the stalled follower is behind (lag ${lag} versions): held back, not buffered`);
      assert.ok(VERSIONS * BATCH_ROWS * 8 > 2 * 16 * 1024 * 1024, 'far more was committed than the follower\'s HTTP/2 window');

      // Now it reads: every version, in order, nothing lost while it was held back.
      const got: FollowItem[] = [(await first).value as FollowItem];
      while (got.filter((i) => i.batch).length < VERSIONS) got.push((await stalled.next()).value as FollowItem);
      await stalled.return(undefined);
      assert.deepEqual(got.filter((i) => !i.batch).map((i) => i.version), Array.from({ length: VERSIONS }, (_, i) => i + 2));
      const firsts = got.filter((i) => i.batch).map((i) => i.batch!.getChild('v')!.get(0) as number);
      assert.deepEqual(firsts, Array.from({ length: VERSIONS }, (_, i) => (i + 1) * BATCH_ROWS));
    } finally {
      stop.abort();
      writer.close();
      stalledClient.close();
      readerClient.close();
    }
  });
});
