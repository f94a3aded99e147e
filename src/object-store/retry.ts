// Retries of object store requests. S3 answers throttling with 503 SlowDown (or 429) and asks
// clients to back off; a gateway restarting answers 5xx or refuses connections for a while; a
// slow or hung request is cut by a per-attempt timeout. All of those are worth another try,
// after an exponentially growing delay with full jitter (a random wait up to the bound), so that
// many clients throttled at once do not come back in step. A 4xx answer (412 Precondition
// Failed, 404, 403) is an answer, not a failure of the attempt: it is never retried.
//
// The SDK's own retries are turned off (maxAttempts 1) so that this loop knows which attempt
// failed how: a put-if-absent whose earlier attempt may have been applied needs a read-back
// when a later attempt finds the key taken (see s3-store.ts).

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** Upper bound of the first delay; doubles each retry, up to maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Longest one attempt may take before it is abandoned (and retried). */
  readonly attemptTimeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 6, baseDelayMs: 50, maxDelayMs: 5_000, attemptTimeoutMs: 60_000 };

/** The delay before retry number `retry` (1-based): uniform in [0, min(max, base * 2^(retry-1))]. */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * bound);
}

/** How an attempt failed, as the retry loop needs to know it. */
export type FailureKind =
  /** Throttled or a server error before anything was applied (retry). */
  | 'transient'
  /** No answer, or an answer lost on the way: the request may have been applied (retry, but remember). */
  | 'ambiguous'
  /** An answer that another attempt would repeat (never retried). */
  | 'final';

export interface AttemptContext {
  /** 1-based. */
  readonly attempt: number;
  /** Aborted when the attempt's time is up. */
  readonly signal: AbortSignal;
  /** True when an earlier attempt failed in a way that may have applied the request. */
  readonly earlierMaybeApplied: boolean;
}

/**
 * Runs `attempt` until it succeeds, fails finally, or the attempts are used up; the last error
 * is thrown (with `maybeApplied` telling whether any failed attempt may have been applied).
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  classify: (e: unknown, timedOut: boolean) => FailureKind,
  attempt: (ctx: AttemptContext) => Promise<T>,
  onRetry?: (e: unknown, attempt: number, delayMs: number) => void,
): Promise<T> {
  let maybeApplied = false;
  for (let n = 1; ; n++) {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`no answer within ${policy.attemptTimeoutMs} ms`));
    }, policy.attemptTimeoutMs);
    try {
      return await attempt({ attempt: n, signal: controller.signal, earlierMaybeApplied: maybeApplied });
    } catch (e) {
      const kind = classify(e, timedOut);
      if (kind === 'ambiguous') maybeApplied = true;
      if (kind === 'final' || n >= policy.attempts) throw new RetriesExhausted(e, n, maybeApplied, kind === 'final');
      const delay = backoffDelay(policy, n);
      onRetry?.(e, n, delay);
      await new Promise((r) => setTimeout(r, delay));
    } finally {
      clearTimeout(timer);
    }
  }
}

/** What withRetries throws: the last attempt's error, and what the attempts before it left open. */
export class RetriesExhausted extends Error {
  constructor(
    readonly last: unknown,
    readonly attempts: number,
    /** Some failed attempt may have been applied by the store. */
    readonly maybeApplied: boolean,
    /** The last error was an answer (a 4xx), not a failure to get one. */
    readonly final: boolean,
  ) {
    super((last as Error)?.message ?? String(last), { cause: last });
    this.name = 'RetriesExhausted';
  }
}
