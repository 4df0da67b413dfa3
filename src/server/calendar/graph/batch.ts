/**
 * JSON batching: many Graph reads in `POST /v1.0/$batch` envelopes of at most 20 sub-requests,
 * all envelopes in flight at once.
 *
 * Every sub-request gets exactly one {@link BatchOutcome}, in request order; none is ever dropped
 * (cal.com skipped sub-responses without a body, so an unreadable calendar looked free):
 *
 * - `response`: Graph's final answer to it, success or not;
 * - `missing`: the envelope came back 200 but without a response for its id;
 * - `throttled`: still 429/503/504 after the bounded retries;
 * - `failed`: its envelope failed as a whole (not answered, or answered with a non-200 status,
 *   or no app token for the tenant).
 *
 * Graph throttles sub-requests one by one (the envelope is still 200), so sub-responses with
 * 429/503/504 are sent again, only those, in a new envelope, after the longest `Retry-After` among
 * them (or the backoff). Envelope-level 429s are retried by the transport (`retry.ts`).
 *
 * @see https://learn.microsoft.com/graph/json-batching
 * @see https://learn.microsoft.com/graph/throttling#throttling-and-batching
 */
import type { GraphResponse, GraphTransport } from './client';
import { graphErrorFromResponse } from './errors';
import { headerValue, isRetryableStatus, parseRetryAfterMs, type Clock, type RetryPolicy, type Sleep } from './retry';

/** Graph's limit of sub-requests per `$batch`. */
export const maxBatchSize = 20;

/** One request to put in a batch. */
export interface BatchSubRequest {
  method: 'GET' | 'POST';
  /** Relative URL under `/v1.0`, path segments encoded (e.g. `/users/bob@contoso.example/mailboxSettings`). */
  url: string;
  /** The mailbox it acts on (for the per-mailbox limit), or null for tenant-wide reads. */
  mailbox: string | null;
  headers?: Readonly<Record<string, string>>;
  body?: unknown;
}

/** What became of one sub-request. */
export type BatchOutcome =
  | {
      kind: 'response';
      status: number;
      /** Sub-response headers, as Graph sent them. */
      headers: Readonly<Record<string, string>>;
      body: unknown;
      /** The sub-response's `request-id` header, else its error body's `innerError.request-id`, else the envelope's. */
      requestId: string | null;
    }
  | { kind: 'missing'; requestId: string | null }
  | { kind: 'throttled'; status: number; retryAfterMs: number; requestId: string | null }
  | { kind: 'failed'; error: unknown };

/** What {@link executeBatch} needs. */
export interface BatchDeps {
  /** Sends the envelopes (normally limited and retried, so envelope-level 429s are handled there). */
  transport: GraphTransport;
  policy: RetryPolicy;
  clock: Clock;
  sleep: Sleep;
}

/**
 * Sends `requests` in envelopes of at most {@link maxBatchSize}, concurrently, retrying throttled
 * sub-requests. Never throws for a Graph failure: every sub-request's fate is in its outcome.
 * @returns one outcome per request, in request order
 */
export async function executeBatch(deps: BatchDeps, tenantId: string, requests: readonly BatchSubRequest[]): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = new Array<BatchOutcome>(requests.length);
  const chunks: number[][] = [];
  for (let i = 0; i < requests.length; i += maxBatchSize) chunks.push(range(i, Math.min(i + maxBatchSize, requests.length)));
  await Promise.all(chunks.map((indices) => runChunk(deps, tenantId, requests, indices, outcomes)));
  return outcomes;
}

async function runChunk(
  deps: BatchDeps,
  tenantId: string,
  requests: readonly BatchSubRequest[],
  indices: number[],
  outcomes: BatchOutcome[],
): Promise<void> {
  const startedAtMs = deps.clock.now();
  let pending = indices;
  for (let currentRetry = 0; pending.length > 0; currentRetry++) {
    let res: GraphResponse;
    try {
      res = await deps.transport.send({
        tenantId,
        method: 'POST',
        operation: '$batch',
        path: '/$batch',
        body: {
          requests: pending.map((index, j) => {
            const r = requests[index]!;
            return {
              id: String(j + 1),
              method: r.method,
              url: r.url,
              ...(r.headers || r.body !== undefined
                ? { headers: { ...(r.body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...r.headers } }
                : {}),
              ...(r.body !== undefined ? { body: r.body } : {}),
            };
          }),
        },
        mailboxes: pending.map((i) => requests[i]!.mailbox).filter((m): m is string => m !== null),
      });
    } catch (error) {
      for (const i of pending) outcomes[i] = { kind: 'failed', error };
      return;
    }
    if (res.status !== 200) {
      const error = graphErrorFromResponse('$batch', res);
      for (const i of pending) outcomes[i] = { kind: 'failed', error };
      return;
    }

    const byId = subResponsesById(res.body);
    const again: Array<{ index: number; status: number; retryAfterMs: number | undefined; requestId: string | null }> = [];
    pending.forEach((index, j) => {
      const sub = byId.get(String(j + 1));
      if (!sub) {
        outcomes[index] = { kind: 'missing', requestId: res.requestId };
        return;
      }
      const requestId = headerValue(sub.headers, 'request-id') ?? innerRequestId(sub.body) ?? res.requestId;
      if (isRetryableStatus(sub.status)) {
        again.push({
          index,
          status: sub.status,
          retryAfterMs: parseRetryAfterMs(headerValue(sub.headers, 'retry-after'), deps.clock.now()),
          requestId,
        });
        return;
      }
      outcomes[index] = { kind: 'response', status: sub.status, headers: sub.headers, body: sub.body, requestId };
    });
    if (again.length === 0) return;

    // One wait for the whole retry envelope: the longest any throttled sub-response asked for.
    const waits = again.map((a) => a.retryAfterMs).filter((ms): ms is number => ms !== undefined);
    const retryAfterMs = waits.length > 0 ? Math.max(...waits) : undefined;
    const decision = deps.policy.decide(again[0]!.status, currentRetry, retryAfterMs, deps.clock.now() - startedAtMs);
    if (!decision.retry) {
      const tell = decision.exhausted ? decision.retryAfterMs : (retryAfterMs ?? 1_000);
      for (const a of again) outcomes[a.index] = { kind: 'throttled', status: a.status, retryAfterMs: tell, requestId: a.requestId };
      return;
    }
    await deps.sleep(decision.delayMs);
    pending = again.map((a) => a.index);
  }
}

interface SubResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** `responses[]` by id (ids are case-insensitive per the docs); malformed entries are left out, so their requests end up `missing`. */
function subResponsesById(body: unknown): Map<string, SubResponse> {
  const out = new Map<string, SubResponse>();
  const responses = isRecord(body) && Array.isArray(body.responses) ? body.responses : [];
  for (const r of responses) {
    if (!isRecord(r) || typeof r.status !== 'number') continue;
    const id = typeof r.id === 'string' ? r.id : typeof r.id === 'number' ? String(r.id) : undefined;
    if (id === undefined) continue;
    const headers: Record<string, string> = {};
    if (isRecord(r.headers)) for (const [k, v] of Object.entries(r.headers)) if (typeof v === 'string') headers[k] = v;
    out.set(id.toLowerCase(), { status: r.status, headers, body: r.body ?? null });
  }
  return out;
}

function innerRequestId(body: unknown): string | undefined {
  if (!isRecord(body) || !isRecord(body.error) || !isRecord(body.error.innerError)) return undefined;
  const id = body.error.innerError['request-id'];
  return typeof id === 'string' ? id : undefined;
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let k = from; k < to; k++) out.push(k);
  return out;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
