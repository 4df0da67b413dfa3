/**
 * Bounded retries of Microsoft Graph throttling and outages, shaped after msal-node's
 * `HttpClientWithRetries` + `IHttpRetryPolicy`: a transport wrapper that asks a policy, after
 * each answer, whether and how long to wait before sending again.
 *
 * Retried: HTTP 429, 503, 504 and "no answer" (network error, timeout). The wait is Graph's
 * `Retry-After` (seconds or an HTTP date) when present, else exponential backoff with full jitter.
 * Bounded by attempts (default 4) and by total time (default 30 s): a wait that would end past the
 * budget is not slept; the call fails at once with `graph_unavailable` and `retryAfterMs`, so the
 * API client can come back later instead of holding a request open.
 *
 * POST is retried too: getSchedule and the `$batch` reads have no side effect, event creation
 * carries a `transactionId` (Graph does not create a second event for the same id), and a
 * repeated cancel of a cancelled event is answered 404, which `cancelEvent` accepts.
 *
 * Time is injected ({@link Clock}, {@link Sleep}, {@link Random}): tests use a fake clock and
 * never sleep on the wall clock.
 *
 * @see https://learn.microsoft.com/graph/throttling
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */
import { GraphTransportError, type GraphRequest, type GraphResponse, type GraphTransport } from './client';
import { GraphError, graphErrorFromResponse } from './errors';

/** Epoch milliseconds. */
export interface Clock {
  now(): number;
}

/** Resolves after `ms` milliseconds (a fake in tests). */
export type Sleep = (ms: number) => Promise<void>;

/** A number in `[0, 1)`, like `Math.random` (a fixed value in tests). */
export type Random = () => number;

/** Bounds of the retry policy. */
export interface RetryOptions {
  /** Sends in total, the first included (default 4). */
  maxAttempts: number;
  /** Time from the first send after which no further wait is started, in ms (default 30 000). */
  maxTotalWaitMs: number;
  /** Backoff base when Graph gives no `Retry-After`, in ms (default 1 000): attempt n waits up to base * 2^n. */
  baseDelayMs: number;
  /** Cap of one backoff wait, in ms (default 10 000). */
  maxDelayMs: number;
}

/** The defaults used when an option is not given. */
export const defaultRetryOptions: Readonly<RetryOptions> = Object.freeze({
  maxAttempts: 4,
  maxTotalWaitMs: 30_000,
  baseDelayMs: 1_000,
  maxDelayMs: 10_000,
});

/** HTTP statuses worth sending again; 0 stands for "no answer". */
export function isRetryableStatus(status: number): boolean {
  return status === 0 || status === 429 || status === 503 || status === 504;
}

/** The policy's verdict after one answer. */
export type RetryDecision =
  /** Wait `delayMs`, then send again. */
  | { retry: true; delayMs: number }
  /** The answer is final: not a retryable status (`exhausted: false`), or retryable but out of attempts or time (`exhausted: true`, with how long the caller should wait). */
  | { retry: false; exhausted: false }
  | { retry: false; exhausted: true; retryAfterMs: number };

/** Decides about retries (msal `IHttpRetryPolicy`, with the pause left to the caller's injected sleep). */
export interface RetryPolicy {
  /**
   * @param status the answer's HTTP status, 0 for no answer
   * @param currentRetry 0 after the first send, 1 after the second, ...
   * @param retryAfterMs Graph's `Retry-After` in ms (see {@link parseRetryAfterMs}), if it sent one
   * @param elapsedMs time since the first send, in ms
   */
  decide(status: number, currentRetry: number, retryAfterMs: number | undefined, elapsedMs: number): RetryDecision;
}

/**
 * The retry policy: retryable statuses are retried after `Retry-After` or a full-jitter backoff
 * (`random() * min(maxDelayMs, baseDelayMs * 2^currentRetry)`), within `maxAttempts` and
 * `maxTotalWaitMs`.
 */
export function createRetryPolicy(options: Partial<RetryOptions> = {}, random: Random = Math.random): RetryPolicy {
  const o: RetryOptions = { ...defaultRetryOptions, ...options };
  return {
    decide(status, currentRetry, retryAfterMs, elapsedMs) {
      if (!isRetryableStatus(status)) return { retry: false, exhausted: false };
      const backoff = Math.floor(random() * Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** currentRetry));
      const delayMs = retryAfterMs ?? backoff;
      // What the API tells its own client: Graph's wait when it gave one, at least one second.
      const tellClientMs = Math.max(1_000, delayMs);
      if (currentRetry + 1 >= o.maxAttempts) return { retry: false, exhausted: true, retryAfterMs: tellClientMs };
      if (elapsedMs + delayMs > o.maxTotalWaitMs) return { retry: false, exhausted: true, retryAfterMs: tellClientMs };
      return { retry: true, delayMs };
    },
  };
}

/**
 * `Retry-After` in ms: delta-seconds (`"120"`) or an HTTP date (`"Wed, 21 Oct 2026 07:28:00 GMT"`,
 * measured from `nowMs`, never negative). Undefined when absent or unreadable.
 */
export function parseRetryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Finds a header in a `GraphResponse`-style record whatever its case. */
export function headerValue(headers: Readonly<Record<string, string>> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/**
 * A {@link GraphTransport} that sends again per {@link RetryPolicy} (msal `HttpClientWithRetries`).
 *
 * Resolves with the first final answer (any non-retryable status, success or not).
 * @throws GraphError graph_unavailable (with `retryAfterMs`, `graphStatus` 429/503/504 or 0) when Graph kept throttling, failing or not answering past the bounds
 * @throws ConveneError from the inner transport (e.g. tenant_not_consented), and any error other than
 *   {@link GraphTransportError}, unchanged and not retried
 */
export class HttpClientWithRetries implements GraphTransport {
  constructor(
    private readonly inner: GraphTransport,
    private readonly policy: RetryPolicy,
    private readonly clock: Clock,
    private readonly sleep: Sleep,
  ) {}

  async send(request: GraphRequest): Promise<GraphResponse> {
    const startedAtMs = this.clock.now();
    for (let currentRetry = 0; ; currentRetry++) {
      let res: GraphResponse;
      try {
        res = await this.inner.send(request);
      } catch (e) {
        // Only "no answer" is retried; Convene's own refusals (no token for the tenant) are final.
        if (!(e instanceof GraphTransportError)) throw e;
        const decision = this.policy.decide(0, currentRetry, undefined, this.clock.now() - startedAtMs);
        if (!decision.retry) {
          throw new GraphError('graph_unavailable', 'Microsoft Graph could not be reached; try again later.', {
            graphStatus: 0,
            retryAfterMs: decision.exhausted ? decision.retryAfterMs : undefined,
            cause: e,
          });
        }
        await this.sleep(decision.delayMs);
        continue;
      }
      const retryAfterMs = parseRetryAfterMs(headerValue(res.headers, 'retry-after'), this.clock.now());
      const decision = this.policy.decide(res.status, currentRetry, retryAfterMs, this.clock.now() - startedAtMs);
      if (decision.retry) {
        await this.sleep(decision.delayMs);
        continue;
      }
      if (decision.exhausted) throw graphErrorFromResponse(request.operation ?? request.method, res, decision.retryAfterMs);
      return res;
    }
  }
}
