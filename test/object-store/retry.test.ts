// The retry loop on its own: how long it waits (full jitter under a doubling, capped bound), what
// it retries, and what it reports when it gives up. The S3 store's use of it against a real
// gateway behind a faulty proxy is in store-contract.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify } from '../../src/object-store/s3-store.ts';
import { backoffDelay, RetriesExhausted, withRetries, type FailureKind } from '../../src/object-store/retry.ts';

const policy = { attempts: 4, baseDelayMs: 10, maxDelayMs: 50, attemptTimeoutMs: 100 };

test('the delay is uniform under a bound that doubles each retry up to the cap', () => {
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n, () => 0.999999)), [9, 19, 39, 49, 49]);
  assert.deepEqual([1, 2, 3].map((n) => backoffDelay(policy, n, () => 0)), [0, 0, 0]);
});

test('transient failures are retried up to the attempts; the last error is reported with what came before', async () => {
  let calls = 0;
  const kinds: FailureKind[] = ['transient', 'ambiguous', 'transient', 'transient'];
  await assert.rejects(
    withRetries(policy, () => kinds[calls - 1]!, async () => {
      calls++;
      throw new Error(`attempt ${calls}`);
    }),
    (e: unknown) => e instanceof RetriesExhausted && e.attempts === 4 && e.maybeApplied && !e.final && /attempt 4/.test(e.message),
  );
  assert.equal(calls, 4);
});

test('a final answer is not retried; a success after failures is returned', async () => {
  let calls = 0;
  await assert.rejects(
    withRetries(policy, () => 'final', async () => {
      calls++;
      throw new Error('412');
    }),
    (e: unknown) => e instanceof RetriesExhausted && e.final && e.attempts === 1 && !e.maybeApplied,
  );
  assert.equal(calls, 1);
  let n = 0;
  const seen: boolean[] = [];
  assert.equal(await withRetries(policy, () => 'ambiguous', async (ctx) => {
    seen.push(ctx.earlierMaybeApplied);
    if (++n < 3) throw new Error('reset');
    return 'done';
  }), 'done');
  assert.deepEqual(seen, [false, true, true]);
});

test('an attempt that outlives its timeout is aborted and counts as ambiguous', async () => {
  const timedOut: boolean[] = [];
  let n = 0;
  const result = await withRetries(policy, (_e, t) => {
    timedOut.push(t);
    return t ? 'ambiguous' : 'final';
  }, (ctx) => new Promise<string>((resolve, reject) => {
    if (++n > 1) return resolve('second');
    ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
  }));
  assert.equal(result, 'second');
  assert.deepEqual(timedOut, [true]);
});

test('S3 failures: throttling and 503 are transient, other 5xx and broken connections ambiguous, 4xx and 501 final', () => {
  const http = (code: number, name = 'Error') => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: code } });
  assert.equal(classify(http(503, 'SlowDown'), false), 'transient');
  assert.equal(classify(http(429), false), 'transient');
  assert.equal(classify(http(409, 'ConditionalRequestConflict'), false), 'transient');
  assert.equal(classify(http(500), false), 'ambiguous');
  assert.equal(classify(http(504), false), 'ambiguous');
  assert.equal(classify(http(501), false), 'final');
  assert.equal(classify(http(412), false), 'final');
  assert.equal(classify(http(404), false), 'final');
  assert.equal(classify(http(403), false), 'final');
  assert.equal(classify(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), false), 'transient');
  assert.equal(classify(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), false), 'ambiguous');
  assert.equal(classify(new Error('aborted'), true), 'ambiguous');
});
